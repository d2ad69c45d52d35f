using System;
using System.Net;

namespace Altimeter.Auth;

/// <summary>
/// Where a partition's console sign-in happens: its federation endpoint (getSigninToken and the
/// login URL) and its console host (the default destination). AWS documents the federation
/// endpoint at https://signin.aws.amazon.com/federation (IAM User Guide, "Enable custom identity
/// broker access to the AWS console"); China and GovCloud have their own sign-in and console
/// domains. The isolated partitions (aws-iso*) and the European Sovereign Cloud (aws-eusc) publish
/// none this module could check, so they need AWS_ENDPOINT_URL_SIGNIN and an explicit destination.
/// </summary>
internal sealed class SignInEndpoint
{
    /// <summary>The variable that points the federation requests elsewhere (a test double, a proxy), as AWS_ENDPOINT_URL_&lt;SERVICE&gt; does for the SDKs.</summary>
    public const string OverrideVariable = "AWS_ENDPOINT_URL_SIGNIN";

    private SignInEndpoint(string partition, Uri federation, string? consoleHost)
    {
        Partition = partition;
        Federation = federation;
        ConsoleHost = consoleHost;
    }

    /// <summary>The partition whose endpoint this is.</summary>
    public string Partition { get; }

    /// <summary>The federation endpoint, without query: https://signin.aws.amazon.com/federation.</summary>
    public Uri Federation { get; }

    /// <summary>The console's host in the partition; null where none is known.</summary>
    public string? ConsoleHost { get; }

    /// <summary>
    /// The endpoint of <paramref name="partition"/>, or the one <paramref name="overrideUrl"/>
    /// (AWS_ENDPOINT_URL_SIGNIN) names: https, or http on a loopback address only, since the
    /// request carries the session's keys in its query.
    /// </summary>
    /// <exception cref="ConsoleSignInException"><see cref="ConsoleSignInException.EndpointInvalid"/> or <see cref="ConsoleSignInException.PartitionUnsupported"/>.</exception>
    public static SignInEndpoint For(string partition, string? overrideUrl)
    {
        var (signInHost, consoleHost) = partition switch
        {
            "aws" => ("signin.aws.amazon.com", "console.aws.amazon.com"),
            "aws-cn" => ("signin.amazonaws.cn", "console.amazonaws.cn"),
            "aws-us-gov" => ("signin.amazonaws-us-gov.com", "console.amazonaws-us-gov.com"),
            _ => ((string?)null, (string?)null),
        };

        if (!string.IsNullOrEmpty(overrideUrl))
        {
            return new SignInEndpoint(partition, FederationAt(overrideUrl!), consoleHost);
        }

        if (signInHost is null)
        {
            throw new ConsoleSignInException(
                ConsoleSignInException.PartitionUnsupported,
                $"Partition {partition} has no public console federation endpoint known to Altimeter.Auth: set {OverrideVariable} to its sign-in endpoint and give the destination as a full https URL.");
        }

        return new SignInEndpoint(partition, new Uri($"https://{signInHost}/federation"), consoleHost);
    }

    /// <summary>
    /// The console page to land on: <paramref name="destination"/> when it is an https URL; a path
    /// (<c>/s3/home</c>) on the partition's console host, with the region added when the path
    /// names none; by default the console home of <paramref name="region"/>.
    /// </summary>
    /// <exception cref="ConsoleSignInException"><see cref="ConsoleSignInException.DestinationInvalid"/>.</exception>
    public string DestinationFor(string? destination, string region)
    {
        if (destination is not null && !IsPrintableAscii(destination))
        {
            throw InvalidDestination("has a space, a control character or a character outside ASCII");
        }

        // "//host/x" is a URL of another host, not a path of the console.
        var isPath = destination is not null && destination.StartsWith("/", StringComparison.Ordinal) && !destination.StartsWith("//", StringComparison.Ordinal);
        if (destination is not null && !isPath)
        {
            if (!Uri.TryCreate(destination, UriKind.Absolute, out var absolute) || absolute.Scheme != Uri.UriSchemeHttps || absolute.UserInfo.Length > 0)
            {
                throw InvalidDestination("is neither an https URL without user information nor a console path starting with one /");
            }

            return absolute.AbsoluteUri;
        }

        if (ConsoleHost is null)
        {
            throw new ConsoleSignInException(
                ConsoleSignInException.DestinationInvalid,
                $"Partition {Partition} has no console host known to Altimeter.Auth: give the destination as a full https URL.");
        }

        if (destination is null)
        {
            return $"https://{ConsoleHost}/console/home?region={region}";
        }

        var page = $"https://{ConsoleHost}{destination}";
        return page.IndexOf("region=", StringComparison.Ordinal) >= 0
            ? page
            : page + (destination.IndexOf('?') >= 0 ? "&" : "?") + "region=" + region;
    }

    private static Uri FederationAt(string overrideUrl)
    {
        if (!IsPrintableAscii(overrideUrl)
            || !Uri.TryCreate(overrideUrl, UriKind.Absolute, out var endpoint)
            || endpoint.UserInfo.Length > 0 || endpoint.Query.Length > 0 || endpoint.Fragment.Length > 0
            || !(endpoint.Scheme == Uri.UriSchemeHttps || (endpoint.Scheme == Uri.UriSchemeHttp && IsLoopback(endpoint))))
        {
            throw new ConsoleSignInException(
                ConsoleSignInException.EndpointInvalid,
                $"{OverrideVariable} must be an https URL without user, query or fragment (http only on a loopback address): the request carries the session's keys.");
        }

        // The variable names the service's base URL, as for the SDKs; the federation path is added unless it is there.
        var path = endpoint.AbsolutePath.TrimEnd('/');
        if (!path.EndsWith("/federation", StringComparison.Ordinal)) path += "/federation";
        return new UriBuilder(endpoint) { Path = path }.Uri;
    }

    private static bool IsLoopback(Uri endpoint) =>
        endpoint.IsLoopback || (IPAddress.TryParse(endpoint.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));

    /// <summary>True for a non-empty text of visible ASCII characters only (no space, no control character).</summary>
    internal static bool IsPrintableAscii(string text)
    {
        foreach (var c in text)
        {
            if (c <= ' ' || c > '~') return false;
        }

        return text.Length > 0;
    }

    private static ConsoleSignInException InvalidDestination(string why) =>
        new(ConsoleSignInException.DestinationInvalid, $"The destination {why}.");
}
