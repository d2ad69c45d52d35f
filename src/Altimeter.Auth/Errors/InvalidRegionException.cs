namespace Altimeter.Auth;

/// <summary>
/// The region a session would use is not an AWS region name: a typo in AWS_REGION or a profile
/// fails here, naming where it came from, instead of later as a raw SDK error.
/// </summary>
public sealed class InvalidRegionException : AltimeterAuthException
{
    /// <summary>Creates the error for <paramref name="region"/>, found in <paramref name="source"/>.</summary>
    public InvalidRegionException(string region, string source)
        : base($"'{region}' ({source}) is not an AWS region name like us-east-1 or eu-west-1.")
    {
        Region = region;
        Source = source;
    }

    /// <summary>The value that was found.</summary>
    public string Region { get; }

    /// <summary>Where it was found: AWS_REGION, AWS_DEFAULT_REGION, a profile, the shell's default.</summary>
    public new string Source { get; }

    /// <inheritdoc />
    public override string ErrorId => "InvalidRegion";
}
