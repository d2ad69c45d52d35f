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

// Two runspaces exporting into the same config file at once: each reads the file, changes its copy
// and replaces the file, so without a turn the later one writes back a file without the other's
// profiles (and both say they wrote them).
public sealed class ProfileExportConcurrencyTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("altimeter-export-race-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void An_export_that_runs_while_another_is_between_reading_and_replacing_the_file_loses_no_profile()
    {
        var config = Path.Combine(_root, "config");
        var first = NewExport(config);
        var second = NewExport(config);
        var ours = first.Plan("111111111111", null, ProfileExport.DefaultNameTemplate);
        var theirs = second.Plan("222222222222", null, ProfileExport.DefaultNameTemplate);
        Thread? other = null;
        IReadOnlyList<ExportedProfile>? theirsWritten = null;

        // The profiles are taken one by one after the file is read: the other runspace's whole
        // export is started right then, and given a moment to finish if nothing holds it back.
        IEnumerable<ExportedProfile> OursWhileTheirsRuns()
        {
            yield return ours;
            other = new Thread(() => theirsWritten = second.Write(new[] { theirs }, (_, e) => throw e));
            other.Start();
            other.Join(TimeSpan.FromSeconds(2));
        }

        var written = first.Write(OursWhileTheirsRuns(), (_, e) => throw e);
        Assert.NotNull(other);
        Assert.True(other!.Join(TimeSpan.FromSeconds(30)));

        Assert.Single(written);
        Assert.Single(theirsWritten!);
        var text = File.ReadAllText(config);
        Assert.Contains("[profile altimeter-111111111111]", text, StringComparison.Ordinal);
        Assert.Contains("[profile altimeter-222222222222]", text, StringComparison.Ordinal);
    }

    private ProfileExport NewExport(string config) =>
        new(config, Path.Combine(_root, "accessor.json"), null, "/opt/altimeter/altimeter-credential-process", new[] { "pwsh" }, Path.Combine(_root, "Altimeter.Auth.psd1"));
}
