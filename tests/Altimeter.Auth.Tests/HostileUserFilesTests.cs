using System.Runtime.Versioning;
using Altimeter.Auth;
using Xunit;

namespace Altimeter.Auth.Tests;

// Issue 11, case 6: files the user names (accessor files, the AWS config) that are not files. A
// hang fails the test (Within) instead of stopping the run.
[UnsupportedOSPlatform("windows")]
public sealed class HostileUserFilesTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("altimeter-not-a-file-").FullName;
    private readonly List<string> _fifos = new();

    public void Dispose()
    {
        _fifos.ForEach(UnixTestFiles.ReleaseFifo);
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public void An_accessor_path_linked_to_dev_zero_is_unreadable_at_once()
    {
        var path = Path.Combine(_root, "accessor.json");
        File.CreateSymbolicLink(path, "/dev/zero");

        var e = UnixTestFiles.Within(10, () => Record.Exception(() => AccessorFile.Load(path)));

        var error = Assert.IsType<AccessorDefinitionException>(e);
        Assert.Equal(AccessorDefinitionException.Unreadable, error.ErrorId);
        Assert.Equal($"{path}: cannot read the accessor file: it is a character device, not a regular file", error.Message);
    }

    [Fact]
    public void A_FIFO_as_accessor_path_is_unreadable_at_once()
    {
        var path = Fifo("accessor.toml");

        var e = UnixTestFiles.Within(10, () => Record.Exception(() => AccessorFile.Load(path)));

        var error = Assert.IsType<AccessorDefinitionException>(e);
        Assert.Equal(AccessorDefinitionException.Unreadable, error.ErrorId);
        Assert.Contains("it is a FIFO (named pipe), not a regular file", error.Message);
    }

    [Fact]
    public void A_directory_as_accessor_path_is_unreadable()
    {
        var error = Assert.Throws<AccessorDefinitionException>(() => AccessorFile.Load(_root));

        Assert.Equal(AccessorDefinitionException.Unreadable, error.ErrorId);
        Assert.Contains("it is a directory, not a regular file", error.Message);
    }

    [Fact]
    public void A_read_of_something_without_a_length_stops_one_byte_past_the_cap()
    {
        using var stream = new GrowingStream();

        Assert.Throws<FileTooLargeException>(() => BoundedFileReader.ReadAtMost(stream, AccessorFile.MaxFileBytes));
        Assert.Equal(AccessorFile.MaxFileBytes + 1, stream.Position);
    }

    [Fact]
    public void Profile_completion_skips_a_FIFO_config_file_at_once()
    {
        var credentials = Path.Combine(_root, "credentials");
        File.WriteAllText(credentials, "[dev]\n");

        var names = UnixTestFiles.Within(10, () => AwsProfileNames.List(credentials, Fifo("config")));

        Assert.Equal(new[] { "dev" }, names);
    }

    private string Fifo(string name)
    {
        var path = Path.Combine(_root, name);
        UnixTestFiles.MakeFifo(path);
        _fifos.Add(path);
        return path;
    }

    // Like /dev/zero: no length, never ends.
    private sealed class GrowingStream : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get; set; }
        public override int Read(byte[] buffer, int offset, int count)
        {
            Position += count;
            return count;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
