using System;
using System.Collections;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using Altimeter.Auth;

namespace Altimeter.Auth.Commands;

[Cmdlet(VerbsCommon.New, "AltimeterAccessor", DefaultParameterSetName = LocalParameterSet)]
[OutputType(typeof(Accessor))]
public sealed class NewAltimeterAccessorCommand : PSCmdlet, IDisposable
{
    private const string LocalParameterSet = "Local";
    private const string PathParameterSet = "Path";
    private const string JsonParameterSet = "Json";
    private const string TablesParameterSet = "MultiHopAccessor";
    private const string IdentityCenterParameterSet = "IdentityCenterRole";
    private const string IdentityCenterSsoSessionParameterSet = "IdentityCenterRoleSsoSession";

    // No role hops after it: the role session name is never sent anywhere.
    private const string IdentityCenterRoleSessionName = "altimeter";

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathParameterSet, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName", "FilePath")]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    [Parameter(Mandatory = true, ParameterSetName = JsonParameterSet)]
    [ValidateNotNullOrEmpty]
    public string Json { get; set; } = string.Empty;

    [Parameter(Mandatory = true, ParameterSetName = TablesParameterSet)]
    [ValidateNotNullOrEmpty]
    public Hashtable[] MultiHopAccessor { get; set; } = Array.Empty<Hashtable>();

    [Parameter(Mandatory = true, ParameterSetName = IdentityCenterParameterSet)]
    [Parameter(Mandatory = true, ParameterSetName = IdentityCenterSsoSessionParameterSet)]
    [ValidateNotNullOrEmpty]
    public string IdentityCenterRole { get; set; } = string.Empty;

    [Parameter(ParameterSetName = IdentityCenterParameterSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(IdentityCenterProfileCompleter))]
    public string? ProfileName { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = IdentityCenterSsoSessionParameterSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(SsoSessionCompleter))]
    public string? SsoSession { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SharedCachePath { get; set; }

    [Parameter]
    public SwitchParameter NoCache { get; set; }

    [Parameter(ParameterSetName = PathParameterSet)]
    [Parameter(ParameterSetName = JsonParameterSet)]
    public SwitchParameter ImportCredentialsCache { get; set; }

    [Parameter(ParameterSetName = PathParameterSet)]
    [Parameter(ParameterSetName = JsonParameterSet)]
    [Parameter(ParameterSetName = TablesParameterSet)]
    [ValidateNotNullOrEmpty]
    public string[]? ExternalIdVariable { get; set; }

    private readonly CancellationTokenSource _stopping = new();

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        AccessorLoadOptions options;
        try
        {
            options = new AccessorLoadOptions
            {
                CacheCreds = NoCache.IsPresent ? false : null,
                ImportCredentialsCache = ImportCredentialsCache.IsPresent,
                ExternalIdVariables = ExternalIdVariable,
                CredentialsCache = SharedCachePath is null
                    ? ProcessCaches.Default
                    : ProcessCaches.ForDirectory(SessionState.Path.GetUnresolvedProviderPathFromPSPath(SharedCachePath)),
            };
        }
        catch (SharedCacheException e)
        {
            ThrowTerminatingError(ErrorRecordFactory.From(e, e.Directory));
            return;
        }

        try
        {
            var accessor = ParameterSetName switch
            {
                PathParameterSet => AccessorFile.Load(SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path), options),
                JsonParameterSet => AccessorJson.Read(Json, "-Json", options),
                TablesParameterSet => AccessorTables.Read(MultiHopAccessor.Select(t => (IDictionary)PowerShellValues.Unwrap(t)!), "-MultiHopAccessor", options),
                IdentityCenterParameterSet or IdentityCenterSsoSessionParameterSet => new Accessor(
                    new[] { new MultiHopAccessor(IdentityCenterRoleSessionName, IdentityCenterStep(), Array.Empty<AccessStep>(), partition: null) },
                    cacheCreds: !NoCache.IsPresent,
                    credentialsCache: options.CredentialsCache),
                _ => new Accessor(cacheCreds: !NoCache.IsPresent, credentialsCache: options.CredentialsCache),
            };
            QueuedOutput.WriteVerboseLine(this, $"Accessor: {accessor}");
            if (ImportCredentialsCache.IsPresent)
            {
                CheckImportedCredentials(accessor);
            }

            foreach (var warning in accessor.Warnings)
            {
                WriteWarning(warning);
            }

            WriteObject(accessor);
        }
        catch (AccessorDefinitionException e)
        {
            ThrowTerminatingError(ErrorRecordFactory.From(e, ParameterSetName == PathParameterSet ? Path : null));
        }
    }

    // As Get-AltimeterAccount: the sso-session, else the profile named, else AWS_PROFILE (else default) as it
    // is now, outside any Invoke-AltimeterCommand block: the accessor keeps the portal it was made for.
    private IdentityCenterRole IdentityCenterStep() =>
        SsoSession is not null
            ? new IdentityCenterRole(IdentityCenterRole, profileName: null, ssoSessionName: SsoSession)
            : new IdentityCenterRole(IdentityCenterRole, ProfileName ?? AwsEnvironmentLease.Read(() => DefaultIdentityCenterProfile.Name));

    /// <inheritdoc />
    protected override void StopProcessing() => _stopping.Cancel();

    /// <summary>Lets go of the cancellation source.</summary>
    public void Dispose() => _stopping.Dispose();

    // In the region Get-AltimeterSession would use by default, through the STS the environment names.
    private void CheckImportedCredentials(Accessor accessor)
    {
        var region = AwsRegion.Resolve(null, null, AwsToolsShell.StoredRegion(SessionState));
        QueuedOutput.WriteVerboseLine(this, $"credentials_cache: checking each entry with GetCallerIdentity in {region}.");
        accessor.CheckImportedCredentialsAsync(region, sts: null, _stopping.Token).GetAwaiter().GetResult();
    }
}
