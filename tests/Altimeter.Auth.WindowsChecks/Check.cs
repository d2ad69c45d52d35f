using System.Collections;
using System.Security.AccessControl;
using System.Security.Principal;

namespace Altimeter.Auth.WindowsChecks;

internal sealed class CheckFailedException : Exception
{
    public CheckFailedException(string message) : base(message) { }
}

/// <summary>Assertions for the checks.</summary>
internal static class Check
{
    public static void That(bool condition, string failure)
    {
        if (!condition) throw new CheckFailedException(failure);
    }

    public static T Single<T>(IReadOnlyCollection<T> items)
    {
        That(items.Count == 1, $"{items.Count} items where one was expected");
        return items.First();
    }

    public static FileSystemAccessRule Single(AuthorizationRuleCollection rules)
    {
        var all = ((IEnumerable)rules).Cast<FileSystemAccessRule>().ToList();
        That(all.Count == 1, $"{all.Count} access rules where one was expected: {string.Join(", ", all.Select(r => $"{r.AccessControlType} {r.IdentityReference} {r.FileSystemRights}"))}");
        return all[0];
    }

    public static void OwnerOnlyRule(FileSystemAccessRule rule, SecurityIdentifier user, InheritanceFlags inheritance)
    {
        That(rule.AccessControlType == AccessControlType.Allow, $"the rule is {rule.AccessControlType}");
        That(rule.IdentityReference.Equals(user), $"the rule is for {rule.IdentityReference}, not the current user {user}");
        That(rule.FileSystemRights == FileSystemRights.FullControl, $"the rule grants {rule.FileSystemRights}");
        That(rule.InheritanceFlags == inheritance, $"the rule is inherited as {rule.InheritanceFlags}, not {inheritance}");
        That(rule.PropagationFlags == PropagationFlags.None, $"the rule propagates as {rule.PropagationFlags}");
        That(!rule.IsInherited, "the rule is inherited from a parent");
    }
}
