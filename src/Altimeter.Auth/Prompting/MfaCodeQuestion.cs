using System;
using System.Collections.Generic;
using System.IO;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;

namespace Altimeter.Auth;

/// <summary>
/// The one way a person is asked for an MFA code, by the module's prompt and the native
/// credential_process alike: up to three tries at 6 digits, never the code just given for the same
/// device (AWS takes a code once), and nothing typed for a device means no code for it for the
/// rest of the command. The code is read hidden and kept only to refuse it a second time.
/// One question at a time: a person answers one prompt at once.
/// </summary>
internal sealed class MfaCodeQuestion : IDisposable
{
    private const int Attempts = 3;

    /// <summary>What an MFA code looks like: 6 digits.</summary>
    public static readonly Regex SixDigits = new(@"\A[0-9]{6}\z", RegexOptions.CultureInvariant);

    private readonly IHiddenLineReader _person;
    private readonly object _asking = new();
    private readonly Dictionary<string, string> _lastCode = new(StringComparer.Ordinal);
    private readonly HashSet<string> _declined = new(StringComparer.Ordinal);

    public MfaCodeQuestion(IHiddenLineReader person) => _person = person ?? throw new ArgumentNullException(nameof(person));

    /// <summary>
    /// A code for <paramref name="serial"/> from the person; null when they typed nothing, gave up
    /// after three wrong tries, declined this device before, cannot be asked, or <paramref name="stopping"/> is cancelled.
    /// </summary>
    public string? Ask(string serial, CancellationToken stopping)
    {
        lock (_asking)
        {
            if (_declined.Contains(serial))
            {
                return null;
            }

            var previous = _lastCode.TryGetValue(serial, out var last) ? last : null;
            try
            {
                for (var attempt = 0; attempt < Attempts && !stopping.IsCancellationRequested; attempt++)
                {
                    _person.Write(previous is null
                        ? $"Enter MFA code for {serial}: "
                        : $"Enter the next MFA code for {serial} (another role needs one; a code works once): ");
                    var typed = _person.ReadHiddenLine()?.Trim();
                    if (string.IsNullOrEmpty(typed))
                    {
                        break;
                    }

                    if (!SixDigits.IsMatch(typed))
                    {
                        _person.Write("An MFA code is 6 digits." + Environment.NewLine);
                    }
                    else if (typed == previous)
                    {
                        _person.Write("That code was just used: wait for the next one." + Environment.NewLine);
                    }
                    else
                    {
                        _lastCode[serial] = typed!;
                        return typed;
                    }
                }
            }
            catch (IOException)
            {
                // Nobody can be asked after all: as if nothing was typed.
            }

            _declined.Add(serial);
            return null;
        }
    }

    /// <summary>
    /// <see cref="SessionOptions.MfaTokenCode"/> for a process whose only work is the chain (the native
    /// credential_process): the hop that needs the code asks on its own thread and waits for the answer,
    /// as there is nothing else for the process to do meanwhile.
    /// </summary>
    public Task<string?> CodeForAsync(string serial, CancellationToken cancellationToken) =>
        Task.FromResult(Ask(serial, cancellationToken));

    /// <summary>Lets go of where the person was asked (closes a terminal opened for it).</summary>
    public void Dispose() => (_person as IDisposable)?.Dispose();
}
