using System.Runtime.Versioning;
using Altimeter.Auth;
using Xunit;

namespace Altimeter.Auth.Tests;

// The creation helpers of the shared cache on Unix, under umask 000: nothing they create is ever
// wider than owner-only, and a link planted at a name they create cannot redirect them. (That the
// store uses them, with no chmod by path, is checked by strace in tests/pester/SharedCache.)
[Collection(ProcessWideUmask.Name)]
[UnsupportedOSPlatform("windows")]
public sealed class UnixOwnerOnlyDirectoryTests : IDisposable
{
    private const UnixFileMode OwnerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private readonly string _root = Directory.CreateTempSubdirectory("altimeter-owner-only-").FullName;
    private readonly int _umask = UnixTestFiles.SetUmask(0);

    public void Dispose()
    {
        UnixTestFiles.SetUmask(_umask);
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public void Under_umask_000_a_new_directory_is_0700_as_mkdir_creates_it()
    {
        var path = Path.Combine(_root, "parent", "cache");

        using var directory = UnixOwnerOnlyDirectory.OpenOrCreate(path);

        Assert.Equal(0x1C0, UnixOwnerOnlyDirectory.DirectoryMode);
        Assert.Equal(OwnerOnlyDirectory, File.GetUnixFileMode(path));
    }

    [Fact]
    public void Under_umask_000_missing_parents_are_made_0700_too_never_0777()
    {
        // As ~/.aws/sso/cache in a fresh home: a 0777 ~/.aws/sso would let anyone swap the cache for theirs.
        var path = Path.Combine(_root, "home", ".aws", "sso", "cache");

        using var directory = UnixOwnerOnlyDirectory.OpenOrCreate(path);

        Assert.Equal(OwnerOnlyDirectory, File.GetUnixFileMode(Path.Combine(_root, "home")));
        Assert.Equal(OwnerOnlyDirectory, File.GetUnixFileMode(Path.Combine(_root, "home", ".aws")));
        Assert.Equal(OwnerOnlyDirectory, File.GetUnixFileMode(Path.Combine(_root, "home", ".aws", "sso")));
        Assert.Equal(OwnerOnlyDirectory, File.GetUnixFileMode(path));
    }

    [Fact]
    public void Under_umask_000_a_new_file_is_0600_before_a_byte_is_written()
    {
        using var directory = UnixOwnerOnlyDirectory.OpenOrCreate(Path.Combine(_root, "cache"));

        using (directory.CreateExclusive(".pending.tmp"))
        {
            Assert.Equal(OwnerOnlyFile, File.GetUnixFileMode(Path.Combine(directory.Path, ".pending.tmp")));
        }
    }

    [Fact]
    public void A_link_planted_at_the_name_of_a_new_file_makes_the_creation_fail_and_redirects_nothing()
    {
        using var directory = UnixOwnerOnlyDirectory.OpenOrCreate(Path.Combine(_root, "cache"));
        var victim = Path.Combine(_root, "victim");
        File.WriteAllText(victim, "not yours");
        File.SetUnixFileMode(victim, (UnixFileMode)0x1A4);
        File.CreateSymbolicLink(Path.Combine(directory.Path, ".planted.tmp"), victim);
        File.CreateSymbolicLink(Path.Combine(directory.Path, ".dangling.tmp"), Path.Combine(_root, "would-be-created"));

        Assert.Throws<IOException>(() => directory.CreateExclusive(".planted.tmp"));
        Assert.Throws<IOException>(() => directory.CreateExclusive(".dangling.tmp"));

        Assert.Equal("not yours", File.ReadAllText(victim));
        Assert.Equal((UnixFileMode)0x1A4, File.GetUnixFileMode(victim));
        Assert.False(File.Exists(Path.Combine(_root, "would-be-created")));
    }

    [Fact]
    public void A_directory_of_ours_open_to_others_is_tightened_to_0700_through_its_descriptor()
    {
        var path = Directory.CreateDirectory(Path.Combine(_root, "cache")).FullName;
        File.SetUnixFileMode(path, (UnixFileMode)0x1FF);

        using var directory = UnixOwnerOnlyDirectory.OpenOrCreate(path);

        Assert.Equal(OwnerOnlyDirectory, File.GetUnixFileMode(path));
    }

    [Fact]
    public void An_entry_is_written_whole_under_its_name_with_no_temporary_left()
    {
        using var directory = UnixOwnerOnlyDirectory.OpenOrCreate(Path.Combine(_root, "cache"));

        directory.WriteAtomically("entry.json", "{}"u8.ToArray());

        Assert.Equal("entry.json", Path.GetFileName(Assert.Single(Directory.GetFiles(directory.Path))));
        Assert.Equal(OwnerOnlyFile, File.GetUnixFileMode(Path.Combine(directory.Path, "entry.json")));
        Assert.Equal("{}"u8.ToArray(), directory.TryRead("entry.json", 64, out var problem));
        Assert.Null(problem);
    }
}
