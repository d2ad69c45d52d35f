using System;
using System.Collections.Generic;
using System.Linq;
using Newtonsoft.Json.Linq;

namespace Altimeter.Auth;

/// <summary>
/// Turns a parsed definition (from JSON, or an altimeter TOML config's <c>[accessor]</c> table)
/// into an <see cref="Accessor"/>, strictly: unknown keys and wrong types are errors naming the
/// source and the path, and the chain rules are checked here, at load time.
/// </summary>
internal static class AccessorDefinitionReader
{
    private static readonly string[] s_accessorKeys = { "multi_hop_accessors", "cache_creds", "credentials_cache" };
    private static readonly string[] s_chainKeys = { "role_session_name", "access_steps", "partition" };
    // Beyond altimeter's own step keys: what AssumeRoleOptions carries.
    private static readonly string[] s_optionKeys = { "duration_seconds", "mfa_serial", "mfa_session_duration_seconds", "source_identity", "tags", "transitive_tag_keys", "policy_arns" };
    private static readonly string[] s_stepKeys = new[] { "role_name", "account_id", "external_id" }.Concat(s_optionKeys).ToArray();
    // A step into the first account through IAM Identity Center: {"identity_center": {"role", "profile" | "sso_session", "account_id"}}.
    private static readonly string[] s_identityCenterStepKeys = { IdentityCenterKey };
    private static readonly string[] s_identityCenterKeys = { "role", "profile", "sso_session", "account_id" };
    private const string IdentityCenterKey = "identity_center";

    public static Accessor Read(JToken root, string source, AccessorLoadOptions options)
    {
        var accessor = RequireObject(root, source, s_accessorKeys, "an accessor definition");
        var environment = options.Environment ?? Environment.GetEnvironmentVariable;
        var variablePolicy = new ExternalIdVariablePolicy(options.ExternalIdVariables);
        var chains = new List<MultiHopAccessor>();
        if (accessor.TryGetValue("multi_hop_accessors", out var chainsToken) && chainsToken.Type != JTokenType.Null)
        {
            var chainArray = RequireArray(chainsToken, source, "multi_hop_accessors");
            for (var c = 0; c < chainArray.Count; c++)
            {
                chains.Add(ReadChain(chainArray[c], c, source, environment, variablePolicy));
            }
        }

        var cacheCreds = options.CacheCreds ?? ReadBoolean(accessor, "cache_creds", source) ?? true;
        ImportedCredentials? imported = null;
        var warnings = new List<string>();
        if (accessor.TryGetValue("credentials_cache", out var cacheToken) && cacheToken.Type != JTokenType.Null)
        {
            // Read either way: a malformed block is an error whether it is used or not.
            var entries = CredentialsCacheJson.Read(cacheToken, source);
            if (!options.ImportCredentialsCache)
            {
                warnings.Add($"{source}: credentials_cache ignored ({Entries(entries.Count)}): credentials in an accessor file are not trusted unless asked for. To use them, load it with -ImportCredentialsCache (AccessorLoadOptions.ImportCredentialsCache): each entry is then checked with GetCallerIdentity and used by this accessor alone.");
            }
            else if (!cacheCreds)
            {
                warnings.Add($"{source}: credentials_cache ignored ({Entries(entries.Count)}): caching is off (-NoCache or cache_creds false), so no cached credentials are used.");
            }
            else
            {
                imported = new ImportedCredentials(entries, source);
            }
        }

        // The block's entries never go into this cache: it is shared by every accessor of the process.
        return new Accessor(chains, cacheCreds, options.CredentialsCache, imported, warnings);
    }

    private static string Entries(int count) => count == 1 ? "1 entry" : $"{count} entries";

    private static MultiHopAccessor ReadChain(JToken token, int index, string source, Func<string, string?> environment, ExternalIdVariablePolicy variablePolicy)
    {
        var chain = RequireObject(token, source, s_chainKeys, "a chain (role_session_name, access_steps)");
        var sessionName = RequireString(chain, "role_session_name", source, required: true)!;
        var location = $"{source}: {token.Path} (chain {index + 1}, role_session_name '{sessionName}')";

        if (!chain.TryGetValue("access_steps", out var stepsToken) || stepsToken.Type == JTokenType.Null)
        {
            throw new AccessorDefinitionException(AccessorDefinitionException.ChainInvalid, "One or more access steps must be specified: access_steps is missing.", location);
        }

        var stepArray = RequireArray(stepsToken, source, "access_steps");
        var steps = new List<AccessStep>();
        IdentityCenterRole? identityCenter = null;
        for (var s = 0; s < stepArray.Count; s++)
        {
            if (stepArray[s] is JObject { } candidate && candidate.ContainsKey(IdentityCenterKey))
            {
                if (s > 0)
                {
                    throw new AccessorDefinitionException(
                        AccessorDefinitionException.ChainInvalid,
                        $"access_steps[{s}] is an identity_center step, which only the first step may be: its credentials come from the Identity Center sign-in, not from the hop before.",
                        location);
                }

                identityCenter = ReadIdentityCenterStep(candidate, source, location);
                continue;
            }

            var step = RequireObject(stepArray[s], source, s_stepKeys, "an access step (role_name, account_id, external_id)");
            var roleName = RequireString(step, "role_name", source, required: true)!;
            var accountId = RequireString(step, "account_id", source, required: false);
            var externalId = RequireString(step, "external_id", source, required: false);
            try
            {
                steps.Add(new AccessStep(roleName, accountId, externalId, environment, ReadOptions(step, source), variablePolicy));
            }
            catch (AccessorDefinitionException e)
            {
                throw e.At($"{location} access_steps[{s}] (step {s + 1}, {roleName}@{accountId ?? "target"})");
            }
        }

        try
        {
            return new MultiHopAccessor(sessionName, identityCenter, steps, RequireString(chain, "partition", source, required: false));
        }
        catch (AccessorDefinitionException e)
        {
            throw e.At(location);
        }
    }

    private static IdentityCenterRole ReadIdentityCenterStep(JObject step, string source, string location)
    {
        RequireObject(step, source, s_identityCenterStepKeys, "an identity_center step ({\"identity_center\": {...}} and nothing beside it)");
        var table = RequireObject(step[IdentityCenterKey]!, source, s_identityCenterKeys, "an identity_center step (role, profile or sso_session, account_id)");
        var role = RequireString(table, "role", source, required: true)!;
        try
        {
            return new IdentityCenterRole(
                role,
                RequireString(table, "profile", source, required: false),
                RequireString(table, "sso_session", source, required: false),
                RequireString(table, "account_id", source, required: false));
        }
        catch (AccessorDefinitionException e)
        {
            throw e.At($"{location} access_steps[0] (step 1, identity_center {role})");
        }
    }

    // The keys beyond the original altimeter ones; null when the step has none of them.
    private static AssumeRoleOptions? ReadOptions(JObject step, string source)
    {
        if (!step.Properties().Any(p => s_optionKeys.Contains(p.Name, StringComparer.Ordinal)))
        {
            return null;
        }

        return new AssumeRoleOptions(
            ReadSeconds(step, "duration_seconds", source),
            RequireString(step, "mfa_serial", source, required: false),
            RequireString(step, "source_identity", source, required: false),
            ReadStringMap(step, "tags", source),
            ReadStringList(step, "transitive_tag_keys", source),
            ReadStringList(step, "policy_arns", source),
            ReadSeconds(step, "mfa_session_duration_seconds", source));
    }

    private static int? ReadSeconds(JObject step, string key, string source)
    {
        if (!step.TryGetValue(key, out var token) || token.Type == JTokenType.Null)
        {
            return null;
        }

        return token.Type == JTokenType.Integer
            ? (int)Math.Max(int.MinValue, Math.Min(int.MaxValue, (long)token))
            : throw Invalid(source, token, $"{key} must be a whole number of seconds, found {Describe(token)}.");
    }

    private static IReadOnlyDictionary<string, string>? ReadStringMap(JObject obj, string key, string source)
    {
        if (!obj.TryGetValue(key, out var token) || token.Type == JTokenType.Null)
        {
            return null;
        }

        if (token is not JObject map)
        {
            throw Invalid(source, token, $"{key} must be a table of names to strings, found {Describe(token)}.");
        }

        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in map.Properties())
        {
            result[property.Name] = property.Value.Type == JTokenType.String
                ? (string)property.Value!
                : throw Invalid(source, property.Value, $"the value of {key}.{property.Name} must be a string, found {Describe(property.Value)}.");
        }

        return result;
    }

    private static IReadOnlyList<string>? ReadStringList(JObject obj, string key, string source)
    {
        if (!obj.TryGetValue(key, out var token) || token.Type == JTokenType.Null)
        {
            return null;
        }

        var list = RequireArray(token, source, key);
        return list.Select(item => item.Type == JTokenType.String
            ? (string)item!
            : throw Invalid(source, item, $"{key} must hold strings, found {Describe(item)}.")).ToList();
    }

    private static JObject RequireObject(JToken token, string source, string[] allowedKeys, string what)
    {
        if (token is not JObject obj)
        {
            throw Invalid(source, token, $"expected {what} as an object, found {Describe(token)}.");
        }

        foreach (var property in obj.Properties())
        {
            if (!allowedKeys.Contains(property.Name, StringComparer.Ordinal))
            {
                throw Invalid(source, property, $"unknown key '{property.Name}' (allowed here: {string.Join(", ", allowedKeys)}).");
            }
        }

        return obj;
    }

    private static JArray RequireArray(JToken token, string source, string name)
    {
        return token as JArray ?? throw Invalid(source, token, $"{name} must be a list, found {Describe(token)}.");
    }

    private static string? RequireString(JObject obj, string key, string source, bool required)
    {
        if (!obj.TryGetValue(key, out var token) || token.Type == JTokenType.Null)
        {
            if (required)
            {
                throw Invalid(source, obj, $"{key} is required.");
            }

            return null;
        }

        if (token.Type == JTokenType.String)
        {
            return (string)token!;
        }

        if (key == "account_id" && token.Type is JTokenType.Integer or JTokenType.Float)
        {
            throw new AccessorDefinitionException(
                AccessorDefinitionException.StepInvalid,
                $"account_id must be a string of 12 digits, not the number {token.ToString(Newtonsoft.Json.Formatting.None)}: numbers lose leading zeros, so quote it.",
                Where(source, token));
        }

        throw Invalid(source, token, $"{key} must be a string, found {Describe(token)}.");
    }

    private static bool? ReadBoolean(JObject obj, string key, string source)
    {
        if (!obj.TryGetValue(key, out var token) || token.Type == JTokenType.Null)
        {
            return null;
        }

        return token.Type == JTokenType.Boolean
            ? (bool)token
            : throw Invalid(source, token, $"{key} must be true or false, found {Describe(token)}.");
    }

    private static AccessorDefinitionException Invalid(string source, JToken token, string message) =>
        new(AccessorDefinitionException.Invalid, message, Where(source, token));

    internal static string Where(string source, JToken token)
    {
        var path = string.IsNullOrEmpty(token.Path) ? "(top level)" : token.Path;
        return $"{source}: {path}";
    }

    private static string Describe(JToken token) => token.Type switch
    {
        JTokenType.Object => "an object",
        JTokenType.Array => "a list",
        JTokenType.String => "a string",
        JTokenType.Integer or JTokenType.Float => "a number",
        JTokenType.Boolean => "a boolean",
        JTokenType.Null => "null",
        _ => token.Type.ToString().ToLowerInvariant(),
    };
}
