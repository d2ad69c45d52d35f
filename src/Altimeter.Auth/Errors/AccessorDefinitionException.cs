using System;

namespace Altimeter.Auth;

/// <summary>
/// An accessor definition (file, JSON text, table) is not valid. The message names the
/// source, the chain and the step; <see cref="ErrorId"/> tells which rule was broken.
/// </summary>
public sealed class AccessorDefinitionException : AltimeterAuthException
{
    /// <summary>The file could not be read.</summary>
    public const string Unreadable = "AccessorFileUnreadable";

    /// <summary>Syntax, types, unknown or duplicate keys.</summary>
    public const string Invalid = "AccessorFileInvalid";

    /// <summary>A chain breaks the chain rules (no steps, account on the final step, none on a middle one).</summary>
    public const string ChainInvalid = "AccessorChainInvalid";

    /// <summary>A value breaks IAM's rules (account id, role name, session name, external id).</summary>
    public const string StepInvalid = "AccessStepInvalid";

    /// <summary>An external-id template names an environment variable that is not set.</summary>
    public const string VariableMissing = "ExternalIdVariableMissing";

    /// <summary>An external-id template reads a variable that holds credentials, a secret or the module's own settings (<see cref="ExternalIdVariablePolicy"/>).</summary>
    public const string VariableRefused = "ExternalIdVariableRefused";

    /// <summary>An external-id template uses syntax other than <c>{{ env['X'] }}</c>.</summary>
    public const string TemplateUnsupported = "ExternalIdTemplateUnsupported";

    private readonly string _errorId;

    /// <summary>Creates the error.</summary>
    public AccessorDefinitionException(string errorId, string message, string? location = null, Exception? innerException = null)
        : base(location is null ? message : $"{location}: {message}", innerException)
    {
        _errorId = errorId;
        Location = location;
        Reason = message;
    }

    /// <summary>Where: source, chain and step.</summary>
    public string? Location { get; }

    /// <summary>The rule that was broken, without the location.</summary>
    public string Reason { get; }

    /// <inheritdoc />
    public override string ErrorId => _errorId;

    /// <summary>The same error, placed at <paramref name="location"/>.</summary>
    public AccessorDefinitionException At(string location) =>
        new(_errorId, Reason, Location is null ? location : $"{location} {Location}", InnerException);
}
