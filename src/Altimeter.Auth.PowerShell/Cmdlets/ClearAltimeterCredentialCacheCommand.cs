using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using Altimeter.Auth;

namespace Altimeter.Auth.Commands;

[Cmdlet(VerbsCommon.Clear, "AltimeterCredentialCache", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(CacheEntryInfo))]
public sealed class ClearAltimeterCredentialCacheCommand : PSCmdlet
{
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Id", "Account")]
    [ArgumentCompleter(typeof(CachedAccountIdCompleter))]
    public string[]? AccountId { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string[]? RoleName { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string[]? RoleSessionName { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        List<CredentialsCache> caches;
        try
        {
            caches = ProcessCaches.All.ToList();
        }
        catch (SharedCacheException e)
        {
            ThrowTerminatingError(ErrorRecordFactory.From(e, e.Directory));
            return;
        }

        // An MFA session belongs to no account or role: only a removal of everything ends it.
        var unfiltered = AccountId is null && RoleName is null && RoleSessionName is null;
        var mfaSessions = unfiltered ? caches.Sum(c => c.MfaSessionCount) : 0;
        var selected = caches.SelectMany(c => c.List()).Where(Matches).ToList();
        var shared = caches.Select(c => c.SharedCachePath).OfType<string>().ToList();
        var what = $"{selected.Count} cached credentials{(selected.Count == 0 ? string.Empty : $" ({string.Join(", ", selected.Select(e => e.Key))})")}"
            + (mfaSessions == 0 ? string.Empty : $", {mfaSessions} MFA session(s)")
            + (shared.Count == 0 ? string.Empty : $" and the matching entries of the shared cache in {string.Join(", ", shared)}{(unfiltered ? ", MFA sessions included" : string.Empty)}");
        if ((selected.Count == 0 && shared.Count == 0 && mfaSessions == 0) || !ShouldProcess(what, "Remove"))
        {
            return;
        }

        var removed = caches.SelectMany(c => c.Remove(Matches)).ToList();
        var ended = unfiltered ? caches.Sum(c => c.EndMfaSessions()) : 0;
        QueuedOutput.WriteVerboseLine(this, $"Removed {removed.Count} cached credentials{(ended == 0 ? string.Empty : $"; ended {ended} MFA session(s)")}.");
        if (PassThru.IsPresent)
        {
            WriteObject(removed, enumerateCollection: true);
        }
    }

    // Account ids as a file's lines give them: without the spaces around them.
    private bool Matches(CacheEntryInfo entry) =>
        MatchesAny(AccountId?.Select(id => id.Trim()).ToArray(), entry.AccountId) && MatchesAny(RoleName, entry.RoleName) && MatchesAny(RoleSessionName, entry.RoleSessionName);

    private static bool MatchesAny(string[]? patterns, string value) =>
        patterns is null || patterns.Any(p => WildcardPattern.Get(p, WildcardOptions.IgnoreCase).IsMatch(value));
}
