using System.Runtime.Versioning;
using Altimeter.Auth;
using Xunit;

namespace Altimeter.Auth.Tests;

// Export-AltimeterProfile's config file on Unix, under umask 000: a -ConfigFile whose folders are
// missing gets them owner-only, never 0777. A 0777 parent would let another user rename the folder
// that holds the file and put one of theirs in its place, whose credential_process the user's AWS
// CLI then runs (the same rule as ~/.aws/sso in UnixOwnerOnlyDirectoryTests).
[Collection(ProcessWideUmask.Name)]
[UnsupportedOSPlatform("windows")]
public sealed class ManagedProfileFileTests : IDisposable
{
    private const UnixFileMode OwnerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private readonly string _root = Directory.CreateTempSubdirectory("altimeter-managed-profile-").FullName;
    private readonly int _umask = UnixTestFiles.SetUmask(0);

    public void Dispose()
    {
        UnixTestFiles.SetUmask(_umask);
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public void Under_umask_000_the_missing_folders_of_a_new_config_file_are_made_0700_never_0777()
    {
        var config = Path.Combine(_root, "work", "aws", "config");
        var file = ManagedProfileFile.Read(config);
        file.SetProfile("altimeter-111111111111", new[] { new KeyValuePair<string, string>("region", "eu-west-1") });

        file.Save();

        Assert.Equal(OwnerOnlyDirectory, File.GetUnixFileMode(Path.Combine(_root, "work")));
        Assert.Equal(OwnerOnlyDirectory, File.GetUnixFileMode(Path.Combine(_root, "work", "aws")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(config));
        Assert.Contains("[profile altimeter-111111111111]", File.ReadAllText(config), StringComparison.Ordinal);
    }
}
