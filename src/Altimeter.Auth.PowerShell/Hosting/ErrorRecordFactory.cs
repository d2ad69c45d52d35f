using System;
using System.Linq;
using System.Management.Automation;
using Altimeter.Auth;

namespace Altimeter.Auth.Commands;

/// <summary>Maps the engine's typed errors, once, to ErrorRecords with their stable ids and categories.</summary>
internal static class ErrorRecordFactory
{
    // What the user can do about a missing MFA code is said here: the engine does not know the cmdlets' parameters.
    // Said once, in the message: a RecommendedAction too would show it a second time under it.
    private const string MfaAdvice = "Give the device's current code with Get-AltimeterSession -TokenCode, or run in an interactive session, which asks for it.";

    public static ErrorRecord From(AltimeterAuthException error, object? target)
    {
        // An account whose every chain is an Identity Center role the person does not have: said as such, so a script can tell it from a failure.
        var notAssigned = error is AccountAuthException { Failures.Count: > 0 } account && account.Failures.All(failure => failure.Error is IdentityCenterRoleNotAssignedException);
        var record = notAssigned
            ? new ErrorRecord(error, IdentityCenterRoleNotAssignedException.Id, ErrorCategory.PermissionDenied, target)
            : new ErrorRecord(error, error.ErrorId, CategoryOf(error), target);
        if (MfaTokenRequiredException.IsCauseOf(error))
        {
            record.ErrorDetails = new ErrorDetails($"{error.Message} {MfaAdvice}");
        }

        return record;
    }

    public static ErrorRecord InvalidArgument(string errorId, string message, object? target) =>
        new(new ArgumentException(message), errorId, ErrorCategory.InvalidArgument, target);

    private static ErrorCategory CategoryOf(AltimeterAuthException error) => error switch
    {
        SsoTokenCacheUntrustedException => ErrorCategory.SecurityError,
        SsoSignInException s when s.ErrorId == SsoSignInException.CacheUntrusted => ErrorCategory.SecurityError,
        AccountAuthException or AccountMismatchException or AssumedRoleMismatchException or NoSourceCredentialsException => ErrorCategory.AuthenticationError,
        InvalidAccountIdException or InvalidRegionException => ErrorCategory.InvalidArgument,
        StsCallException => ErrorCategory.ConnectionError,
        ConsoleSignInException c => CategoryOf(c),
        AccessorDefinitionException d when d.ErrorId == AccessorDefinitionException.Unreadable => ErrorCategory.ReadError,
        AccessorDefinitionException d when d.ErrorId == AccessorDefinitionException.VariableRefused => ErrorCategory.SecurityError,
        AccessorDefinitionException => ErrorCategory.InvalidData,
        SharedCacheException s when s.ErrorId == SharedCacheException.Untrusted => ErrorCategory.SecurityError,
        SharedCacheException => ErrorCategory.ResourceUnavailable,
        SsoSignInException s when s.ErrorId == SsoSignInException.ConfigurationInvalid => ErrorCategory.ObjectNotFound,
        SsoSignInException s when s.ErrorId == SsoSignInException.NotInteractive => ErrorCategory.InvalidOperation,
        SsoSignInException s when s.ErrorId == SsoSignInException.AuthorizationExpired => ErrorCategory.OperationTimeout,
        SsoSignInException s when s.ErrorId == SsoSignInException.AccessDenied => ErrorCategory.PermissionDenied,
        SsoSignInException => ErrorCategory.ConnectionError,
        SsoPortalCallException => ErrorCategory.ConnectionError,
        IdentityCenterRoleNotAssignedException => ErrorCategory.PermissionDenied,
        CredentialEndpointException or ChildProfilesException => ErrorCategory.ResourceUnavailable,
        KeysInParallelBlockException => ErrorCategory.InvalidOperation,
        ProfileExportException p when p.ErrorId == ProfileExportException.NotManaged => ErrorCategory.ResourceExists,
        ProfileExportException p when p.ErrorId == ProfileExportException.NameInvalid => ErrorCategory.InvalidArgument,
        ProfileExportException => ErrorCategory.WriteError,
        ProgramException p when p.ErrorId == ProgramException.NotStarted => ErrorCategory.ObjectNotFound,
        ProgramException => ErrorCategory.InvalidResult,
        _ => ErrorCategory.NotSpecified,
    };

    private static ErrorCategory CategoryOf(ConsoleSignInException error) => error.ErrorId switch
    {
        ConsoleSignInException.Refused or ConsoleSignInException.Unreachable => ErrorCategory.ConnectionError,
        ConsoleSignInException.AnswerInvalid => ErrorCategory.InvalidResult,
        ConsoleSignInException.DestinationInvalid or ConsoleSignInException.EndpointInvalid or ConsoleSignInException.SessionDurationNotAllowed => ErrorCategory.InvalidArgument,
        ConsoleSignInException.BrowserUnavailable => ErrorCategory.ObjectNotFound,
        _ => ErrorCategory.InvalidOperation,
    };
}
