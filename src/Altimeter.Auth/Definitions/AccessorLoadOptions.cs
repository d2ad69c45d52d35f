using System;

namespace Altimeter.Auth;

/// <summary>Choices the caller makes when loading an accessor definition.</summary>
public sealed class AccessorLoadOptions
{
    /// <summary>Overrides the definition's own <c>cache_creds</c> when set: the caller's choice wins.</summary>
    public bool? CacheCreds { get; set; }

    /// <summary>The cache the accessor will use; null: a new one.</summary>
    public CredentialsCache? CredentialsCache { get; set; }

    /// <summary>
    /// False (the default): a <c>credentials_cache</c> block is checked for shape and otherwise
    /// ignored, with a warning. True: its entries are kept for this accessor alone and used once
    /// <see cref="Accessor.CheckImportedCredentialsAsync"/> has confirmed each with GetCallerIdentity.
    /// </summary>
    public bool ImportCredentialsCache { get; set; }

    /// <summary>Where external-id templates read variables; null: the process environment.</summary>
    public Func<string, string?>? Environment { get; set; }
}
