using System;
using System.Net.Http;

namespace Altimeter.Auth;

/// <summary>What a console sign-in URL is asked with; every value is optional.</summary>
internal sealed class ConsoleSignInOptions
{
    /// <summary>Shortest console session AWS grants through SessionDuration, in seconds.</summary>
    public const int MinSessionDurationSeconds = 900;

    /// <summary>Longest console session AWS grants through SessionDuration, in seconds (12 hours).</summary>
    public const int MaxSessionDurationSeconds = 43200;

    /// <summary>The console page to land on: an https URL, or a path of the partition's console (<c>/s3/home</c>); null: the console home of the session's region.</summary>
    public string? Destination { get; set; }

    /// <summary>
    /// How long the console session lasts, in seconds (900 to 43200); null: as long as the
    /// credentials. AWS refuses it for credentials reached through role chaining.
    /// </summary>
    public int? SessionDurationSeconds { get; set; }

    /// <summary>Time allowed for the request to the federation endpoint; null: <see cref="StsClientSettings.DefaultTimeout"/>.</summary>
    public TimeSpan? Timeout { get; set; }

    /// <summary>Where progress is told; never given the URL, the token or the keys.</summary>
    public IAuthLog? Log { get; set; }

    /// <summary>Sends the federation request instead of the process's HTTP client; for tests.</summary>
    internal HttpMessageHandler? Handler { get; set; }
}
