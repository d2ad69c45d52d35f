using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

namespace Altimeter.Auth;

/// <summary>
/// What a step may add to its AssumeRole beyond the original altimeter keys: session duration,
/// MFA, source identity, session tags and session policies. Checked against STS's rules when the
/// step is built. Two steps with different options never share cached credentials (<see cref="CacheBinding.OfStep"/>).
/// </summary>
public sealed class AssumeRoleOptions
{
    /// <summary>Longest session a role may grant (its MaxSessionDuration can be up to 12 hours).</summary>
    public const int MaxDurationSeconds = 43200;

    /// <summary>Shortest session STS grants.</summary>
    public const int MinDurationSeconds = 900;

    /// <summary>
    /// AWS caps at one hour a session assumed with temporary credentials: another role's (role
    /// chaining), and an MFA session's (GetSessionToken) too.
    /// </summary>
    public const int ChainedMaxDurationSeconds = 3600;

    /// <summary>MFA session (GetSessionToken) asked for when the step does not say: AWS's own default for an IAM user, 12 hours.</summary>
    public const int DefaultMfaSessionDurationSeconds = 43200;

    /// <summary>Shortest MFA session AWS grants an IAM user.</summary>
    public const int MinMfaSessionDurationSeconds = 900;

    /// <summary>Longest MFA session AWS grants an IAM user, 36 hours.</summary>
    public const int MaxMfaSessionDurationSeconds = 129600;

    // STS API reference patterns, whole strings (\A…\z), ASCII where AWS's are; tags are the one
    // place AWS allows Unicode letters, spaces and numbers.
    private static readonly Regex s_serial = new($@"\A[{IamIdentifiers.WordCharacters}+=/:,.@-]{{9,256}}\z", RegexOptions.CultureInvariant);
    private static readonly Regex s_sourceIdentity = new($@"\A[{IamIdentifiers.WordCharacters}+=,.@-]{{2,64}}\z", RegexOptions.CultureInvariant);
    private static readonly Regex s_tagKey = new(@"\A[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}\z", RegexOptions.CultureInvariant);
    private static readonly Regex s_tagValue = new(@"\A[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}\z", RegexOptions.CultureInvariant);
    private static readonly Regex s_policyArn = new($@"\Aarn:[a-z-]+:iam::(aws|[0-9]{{12}}):policy/[{IamIdentifiers.WordCharacters}+=,.@/-]{{1,128}}\z", RegexOptions.CultureInvariant);

    /// <summary>Creates and checks the options; a rule broken is an <see cref="AccessorDefinitionException"/>.</summary>
    public AssumeRoleOptions(
        int? durationSeconds = null,
        string? mfaSerial = null,
        string? sourceIdentity = null,
        IReadOnlyDictionary<string, string>? tags = null,
        IReadOnlyList<string>? transitiveTagKeys = null,
        IReadOnlyList<string>? policyArns = null,
        int? mfaSessionDurationSeconds = null)
    {
        if (durationSeconds is int seconds && (seconds < MinDurationSeconds || seconds > MaxDurationSeconds))
        {
            throw Invalid($"duration_seconds {seconds} is out of range: STS grants {MinDurationSeconds} to {MaxDurationSeconds} seconds.");
        }

        if (mfaSerial is not null && !s_serial.IsMatch(mfaSerial))
        {
            throw Invalid($"mfa_serial '{mfaSerial}' is not an MFA device serial number or ARN.");
        }

        if (mfaSessionDurationSeconds is int sessionSeconds)
        {
            if (mfaSerial is null)
            {
                throw Invalid($"mfa_session_duration_seconds {sessionSeconds} needs the step's mfa_serial: it is the length of the MFA session opened with that device.");
            }

            if (sessionSeconds < MinMfaSessionDurationSeconds || sessionSeconds > MaxMfaSessionDurationSeconds)
            {
                throw Invalid($"mfa_session_duration_seconds {sessionSeconds} is out of range: AWS grants an IAM user's MFA session {MinMfaSessionDurationSeconds} to {MaxMfaSessionDurationSeconds} seconds.");
            }
        }

        if (sourceIdentity is not null && !s_sourceIdentity.IsMatch(sourceIdentity))
        {
            throw Invalid($"source_identity '{sourceIdentity}' is not valid: STS takes 2-64 characters of letters, digits and +=,.@_-.");
        }

        var tagList = tags?.ToList() ?? new List<KeyValuePair<string, string>>();
        if (tagList.Count > 50)
        {
            throw Invalid($"tags has {tagList.Count} tags: a session takes at most 50.");
        }

        foreach (var tag in tagList)
        {
            if (!s_tagKey.IsMatch(tag.Key) || tag.Key.StartsWith("aws:", StringComparison.OrdinalIgnoreCase))
            {
                throw Invalid($"tag key '{tag.Key}' is not valid: 1-128 characters of letters, digits, spaces and _.:/=+-@, not starting with aws:.");
            }

            if (tag.Value is null || !s_tagValue.IsMatch(tag.Value))
            {
                throw Invalid($"the value of tag '{tag.Key}' is not valid: 0-256 characters of letters, digits, spaces and _.:/=+-@.");
            }
        }

        foreach (var key in transitiveTagKeys ?? Array.Empty<string>())
        {
            if (!tagList.Any(t => string.Equals(t.Key, key, StringComparison.OrdinalIgnoreCase)))
            {
                throw Invalid($"transitive_tag_keys names '{key}', which is not one of the step's tags.");
            }
        }

        if (policyArns is { Count: > 10 })
        {
            throw Invalid($"policy_arns has {policyArns.Count} policies: STS takes at most 10.");
        }

        foreach (var arn in policyArns ?? Array.Empty<string>())
        {
            if (!s_policyArn.IsMatch(arn))
            {
                throw Invalid($"policy_arns entry '{arn}' is not a managed policy ARN (arn:aws:iam::ACCOUNT:policy/NAME).");
            }
        }

        DurationSeconds = durationSeconds;
        MfaSerial = mfaSerial;
        MfaSessionDurationSeconds = mfaSessionDurationSeconds;
        SourceIdentity = sourceIdentity;
        Tags = tagList.ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal);
        TransitiveTagKeys = (transitiveTagKeys ?? Array.Empty<string>()).ToList().AsReadOnly();
        PolicyArns = (policyArns ?? Array.Empty<string>()).ToList().AsReadOnly();
    }

    /// <summary>DurationSeconds sent with AssumeRole.</summary>
    public int? DurationSeconds { get; }

    /// <summary>SerialNumber of the MFA device; the token code is asked for at call time.</summary>
    public string? MfaSerial { get; }

    /// <summary>
    /// Length of the MFA session (GetSessionToken) opened with <see cref="MfaSerial"/> when this is
    /// a chain's first step and the chain starts from an IAM user's long-term keys; null:
    /// <see cref="DefaultMfaSessionDurationSeconds"/>. Not sent with AssumeRole, so not part of
    /// what a cached hop is bound to.
    /// </summary>
    public int? MfaSessionDurationSeconds { get; }

    /// <summary>SourceIdentity sent with AssumeRole.</summary>
    public string? SourceIdentity { get; }

    /// <summary>Session tags.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; }

    /// <summary>Tags that pass on to the next hop.</summary>
    public IReadOnlyList<string> TransitiveTagKeys { get; }

    /// <summary>Managed session policies (PolicyArns).</summary>
    public IReadOnlyList<string> PolicyArns { get; }

    /// <summary>The same options with the duration capped at <paramref name="seconds"/>.</summary>
    internal AssumeRoleOptions WithDuration(int seconds) =>
        new(seconds, MfaSerial, SourceIdentity, Tags, TransitiveTagKeys, PolicyArns, MfaSessionDurationSeconds);

    /// <summary>The same options without MFA: the hop is signed with an MFA session, whose MFA context AWS carries into the role.</summary>
    internal AssumeRoleOptions WithoutMfa() =>
        new(DurationSeconds, mfaSerial: null, SourceIdentity, Tags, TransitiveTagKeys, PolicyArns);

    private static AccessorDefinitionException Invalid(string message) =>
        new(AccessorDefinitionException.StepInvalid, message);
}
