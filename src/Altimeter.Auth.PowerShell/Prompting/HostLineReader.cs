using System.Management.Automation.Host;
using System.Net;

namespace Altimeter.Auth.Commands;

/// <summary>Asks through the PowerShell host (the console, an editor's host), as Read-Host -AsSecureString does.</summary>
internal sealed class HostLineReader : IHiddenLineReader
{
    private readonly PSHostUserInterface _ui;

    public HostLineReader(PSHostUserInterface ui) => _ui = ui;

    public void Write(string text) => _ui.Write(text);

    public string? ReadHiddenLine()
    {
        using var secure = _ui.ReadLineAsSecureString();
        return secure is null ? null : new NetworkCredential(string.Empty, secure).Password;
    }
}
