using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using Newtonsoft.Json.Linq;

namespace Altimeter.Auth;

/// <summary>
/// Chains given as dictionaries (PowerShell hashtables), with the keys of the JSON form
/// (<c>role_session_name</c>, <c>access_steps</c>, <c>role_name</c>, <c>account_id</c>,
/// <c>external_id</c>) or their PascalCase names (RoleSessionName, AccessSteps, …). They go
/// through the same strict reader as files: unknown keys and wrong types are errors.
/// </summary>
internal static class AccessorTables
{
    private static readonly Dictionary<string, string> s_keys = new(StringComparer.OrdinalIgnoreCase)
    {
        ["rolesessionname"] = "role_session_name",
        ["accesssteps"] = "access_steps",
        ["rolename"] = "role_name",
        ["accountid"] = "account_id",
        ["externalid"] = "external_id",
        ["partition"] = "partition",
        ["durationseconds"] = "duration_seconds",
        ["mfaserial"] = "mfa_serial",
        ["mfasessiondurationseconds"] = "mfa_session_duration_seconds",
        ["sourceidentity"] = "source_identity",
        ["tags"] = "tags",
        ["transitivetagkeys"] = "transitive_tag_keys",
        ["policyarns"] = "policy_arns",
        ["identitycenter"] = "identity_center",
        ["role"] = "role",
        ["profile"] = "profile",
        ["ssosession"] = "sso_session",
    };

    /// <summary>Builds an accessor from <paramref name="chains"/>; <paramref name="source"/> names them in errors.</summary>
    public static Accessor Read(IEnumerable<IDictionary> chains, string source, AccessorLoadOptions? options = null)
    {
        if (chains is null) throw new ArgumentNullException(nameof(chains));
        JObject root;
        try
        {
            root = new JObject { ["multi_hop_accessors"] = DefinitionTree.ToJson(chains.ToList(), KeyOf) };
        }
        catch (AccessorDefinitionException e) when (e.Location is null)
        {
            throw e.At(source);
        }

        return AccessorDefinitionReader.Read(root, source, options ?? new AccessorLoadOptions());
    }

    private static string KeyOf(string name) =>
        s_keys.TryGetValue(name.Replace("_", string.Empty), out var key) ? key : name;
}
