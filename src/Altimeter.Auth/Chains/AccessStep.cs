using System;

namespace Altimeter.Auth;

/// <summary>
/// One role assumption of a chain: assume <see cref="RoleName"/> in <see cref="AccountId"/>,
/// or in the target account when this is the final step (no account id).
/// </summary>
public sealed class AccessStep
{
    /// <summary>A step whose external id template is rendered from the process environment.</summary>
    public AccessStep(string roleName, string? accountId = null, string? externalId = null)
        : this(roleName, accountId, externalId, Environment.GetEnvironmentVariable)
    {
    }

    /// <summary>A step whose external id template is rendered from <paramref name="environment"/>.</summary>
    public AccessStep(string roleName, string? accountId, string? externalId, Func<string, string?> environment)
        : this(roleName, accountId, externalId, environment, options: null)
    {
    }

    /// <summary>A step with AssumeRole options beyond the original keys (duration, MFA, source identity, tags, session policies).</summary>
    public AccessStep(string roleName, string? accountId, string? externalId, Func<string, string?> environment, AssumeRoleOptions? options)
        : this(roleName, accountId, externalId, environment, options, ExternalIdVariablePolicy.Default)
    {
    }

    /// <summary>A step whose external id template may also read the variables <paramref name="variablePolicy"/> allows.</summary>
    internal AccessStep(string roleName, string? accountId, string? externalId, Func<string, string?> environment, AssumeRoleOptions? options, ExternalIdVariablePolicy variablePolicy)
    {
        Options = options;
        if (!IamIdentifiers.IsRoleName(roleName))
        {
            throw new AccessorDefinitionException(
                AccessorDefinitionException.StepInvalid,
                $"role_name '{roleName}' is not a valid IAM role name (1-64 characters of letters, digits and +=,.@_-).");
        }

        if (accountId is not null && !IamIdentifiers.IsAccountId(accountId))
        {
            throw new AccessorDefinitionException(
                AccessorDefinitionException.StepInvalid,
                $"account_id '{accountId}' is not an AWS account id: an account id is exactly 12 digits.");
        }

        RoleName = roleName;
        AccountId = accountId;
        ExternalIdTemplate = externalId;
        if (externalId is not null)
        {
            var rendered = ExternalIdRenderer.Render(externalId, environment ?? throw new ArgumentNullException(nameof(environment)), variablePolicy);
            if (!IamIdentifiers.IsExternalId(rendered))
            {
                // The value may come from a secret environment variable: say what is wrong, not what it is.
                throw new AccessorDefinitionException(
                    AccessorDefinitionException.StepInvalid,
                    $"external_id of {this} is not valid: STS takes 2-1224 characters of letters, digits and +=,.@:/_-; this one has {rendered.Length} characters.");
            }

            ExternalId = rendered;
        }
    }

    /// <summary>The role assumed in this hop.</summary>
    public string RoleName { get; }

    /// <summary>The account of this hop; null on the final step, whose account is the target.</summary>
    public string? AccountId { get; }

    /// <summary>The external id as written in the definition (a template, maybe); this is what is saved back.</summary>
    public string? ExternalIdTemplate { get; }

    /// <summary>
    /// The external id sent to STS, rendered when the step was loaded. Internal: it may come from
    /// an environment variable the user keeps out of files, so no output object, view or JSON of
    /// the step shows it; <see cref="ExternalIdTemplate"/> is the public face.
    /// </summary>
    internal string? ExternalId { get; }

    /// <summary>Duration, MFA, source identity, tags and session policies of this hop; null when it has none.</summary>
    public AssumeRoleOptions? Options { get; }

    // Made at the first lookup, then kept: the warm path of a cached hop computes no digest.
    private string? _bindingDigest;

    /// <summary>
    /// The digest of what this step sends STS besides the role: the rendered external id and the
    /// options (<see cref="CacheBinding.OfStep"/>). Part of what its cached hops are bound to.
    /// </summary>
    internal string BindingDigest => _bindingDigest ??= CacheBinding.OfStep(ExternalId, Options);

    /// <summary>The same step with other options (templates are not rendered again).</summary>
    internal AccessStep WithOptions(AssumeRoleOptions options) => new(this, options);

    private AccessStep(AccessStep step, AssumeRoleOptions options)
    {
        RoleName = step.RoleName;
        AccountId = step.AccountId;
        ExternalIdTemplate = step.ExternalIdTemplate;
        ExternalId = step.ExternalId;
        Options = options;
    }

    /// <summary>True for the final step of a chain: it has no account id.</summary>
    public bool IsFinal => AccountId is null;

    /// <summary><c>role@account</c>, or <c>role@target</c> for the final step.</summary>
    public override string ToString() => $"{RoleName}@{AccountId ?? "target"}";
}
