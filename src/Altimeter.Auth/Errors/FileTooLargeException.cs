using System.IO;

namespace Altimeter.Auth;

/// <summary>A file is larger than the reader allows; it was not read whole (at most one byte past the limit).</summary>
internal sealed class FileTooLargeException : IOException
{
    public FileTooLargeException(long limitBytes)
        : base($"the file is larger than the {Describe(limitBytes)} it may be")
    {
        LimitBytes = limitBytes;
    }

    public long LimitBytes { get; }

    private static string Describe(long bytes) =>
        bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0 ? $"{bytes / (1024 * 1024)} MB"
        : bytes >= 1024 && bytes % 1024 == 0 ? $"{bytes / 1024} KiB"
        : $"{bytes} bytes";
}
