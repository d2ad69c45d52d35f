using System;
using System.IO;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Net;
using Altimeter.Auth;

namespace Altimeter.Auth.Commands;

/// <summary>
/// Asks through the PowerShell host (the console, an editor's host), as Read-Host -AsSecureString does.
/// A host that cannot ask says so as an <see cref="IOException"/>, as the engine's readers do.
/// </summary>
internal sealed class HostLineReader : IHiddenLineReader
{
    private readonly PSHostUserInterface _ui;

    public HostLineReader(PSHostUserInterface ui) => _ui = ui;

    public void Write(string text)
    {
        try
        {
            _ui.Write(text);
        }
        catch (Exception e) when (CannotAsk(e))
        {
            throw new IOException("The PowerShell host cannot show a prompt.", e);
        }
    }

    public string? ReadHiddenLine()
    {
        try
        {
            using var secure = _ui.ReadLineAsSecureString();
            return secure is null ? null : new NetworkCredential(string.Empty, secure).Password;
        }
        catch (Exception e) when (CannotAsk(e))
        {
            throw new IOException("The PowerShell host cannot read a line.", e);
        }
    }

    private static bool CannotAsk(Exception e) =>
        e is HostException or PSInvalidOperationException or NotImplementedException or PSNotImplementedException;
}
