using System.IO;
using System.Security.AccessControl;
using System.Security.Principal;

namespace Altimeter.Auth;

/// <summary>
/// Owner-only on Windows, as 0700/0600 are on Unix: a protected access list (nothing inherited
/// from the parent folder, so not Administrators, SYSTEM or Users) with one entry, full control
/// for the current user. On a directory that entry is inherited by what is created in it; a file
/// is created with its access list, so it is owner-only from its first moment.
/// </summary>
internal static class WindowsOwnerOnlyAcl
{
    /// <summary>Replaces the access list of the directory at <paramref name="path"/>.</summary>
    public static void ApplyToDirectory(string path) =>
        new DirectoryInfo(path).SetAccessControl(DirectorySecurityFor(CurrentUser()));

    /// <summary>Creates the file at <paramref name="path"/> for writing, owner-only from its first moment.</summary>
    public static FileStream CreateFile(string path) =>
        new FileInfo(path).Create(FileMode.CreateNew, FileSystemRights.Write, FileShare.None, 4096, FileOptions.None, FileSecurityFor(CurrentUser()));

    /// <summary>Full control for <paramref name="user"/>, inherited by files and folders, nothing else.</summary>
    internal static DirectorySecurity DirectorySecurityFor(SecurityIdentifier user)
    {
        var security = new DirectorySecurity();
        security.SetAccessRuleProtection(isProtected: true, preserveInheritance: false);
        security.AddAccessRule(new FileSystemAccessRule(
            user,
            FileSystemRights.FullControl,
            InheritanceFlags.ContainerInherit | InheritanceFlags.ObjectInherit,
            PropagationFlags.None,
            AccessControlType.Allow));
        return security;
    }

    /// <summary>Full control for <paramref name="user"/>, nothing else.</summary>
    internal static FileSecurity FileSecurityFor(SecurityIdentifier user)
    {
        var security = new FileSecurity();
        security.SetAccessRuleProtection(isProtected: true, preserveInheritance: false);
        security.AddAccessRule(new FileSystemAccessRule(user, FileSystemRights.FullControl, AccessControlType.Allow));
        return security;
    }

    /// <summary>The user this process runs as.</summary>
    internal static SecurityIdentifier CurrentUser()
    {
        using var identity = WindowsIdentity.GetCurrent();
        return identity.User ?? throw new IOException("the current Windows user has no security identifier.");
    }
}
