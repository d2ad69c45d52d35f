using System;
using System.Collections.Generic;

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

    /// <summary>
    /// Environment variables an external-id template may read beyond those whose name says they
    /// hold one (an <c>EXTERNAL_ID</c> or <c>EXT_ID</c> part, like <c>HUB_EXTERNAL_ID</c>). The file's
    /// author picks the role the external id goes to, and that account logs it: name here only
    /// variables that hold an external id. <c>AWS_*</c> and the module's <c>ALTIMETER_*</c> settings are never read.
    /// </summary>
    public IReadOnlyList<string>? ExternalIdVariables { get; set; }
}
