using System;
using System.Collections.Generic;
using Newtonsoft.Json.Linq;

namespace Altimeter.Auth;

/// <summary>Reads altimeter's serialised cache: <c>{"cache": {"account:role:session": {access_key_id, secret_access_key, session_token, expiration}}}</c>.</summary>
internal static class CredentialsCacheJson
{
    public static IReadOnlyList<(CacheKey Key, CachedCredentials Credentials)> Read(JToken root, string source)
    {
        if (root is not JObject top || top.Count != 1 || top["cache"] is not JObject cache)
        {
            throw new AccessorDefinitionException(AccessorDefinitionException.Invalid, "a credentials cache must be an object with one key, 'cache', holding an object.", AccessorDefinitionReader.Where(source, root));
        }

        var entries = new List<(CacheKey, CachedCredentials)>();
        foreach (var property in cache.Properties())
        {
            if (!CacheKey.TryParse(property.Name, out var key))
            {
                throw new AccessorDefinitionException(AccessorDefinitionException.Invalid, $"cache key '{property.Name}' is not 'account:role:session_name'.", AccessorDefinitionReader.Where(source, property));
            }

            if (property.Value is not JObject entry
                || entry.Count != 4
                || entry["access_key_id"]?.Type != JTokenType.String
                || entry["secret_access_key"]?.Type != JTokenType.String
                || entry["session_token"]?.Type is not (JTokenType.String or JTokenType.Null)
                || entry["expiration"]?.Type != JTokenType.Integer)
            {
                throw new AccessorDefinitionException(AccessorDefinitionException.Invalid, "a cache entry has exactly access_key_id, secret_access_key, session_token (strings) and expiration (epoch seconds).", AccessorDefinitionReader.Where(source, property));
            }

            entries.Add((key, new CachedCredentials(
                (string)entry["access_key_id"]!,
                (string)entry["secret_access_key"]!,
                (string?)entry["session_token"],
                DateTimeOffset.FromUnixTimeSeconds((long)entry["expiration"]!))));
        }

        return entries;
    }
}
