using Altimeter.Auth;

namespace Altimeter.Auth.Commands;

/// <summary>
/// The one credentials cache of this process. Every runspace that imports the module shares it
/// (the module's assembly is loaded once per process), so a scan split over runspaces does not
/// assume the same hub role once per runspace. <see cref="CredentialsCache"/> is thread-safe.
/// </summary>
public static class ProcessCredentialsCache
{
    /// <summary>The cache every accessor made by New-AltimeterAccessor uses.</summary>
    public static CredentialsCache Instance { get; } = new();
}
