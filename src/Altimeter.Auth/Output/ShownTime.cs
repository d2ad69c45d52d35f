using System;
using System.Globalization;

namespace Altimeter.Auth;

/// <summary>
/// How a time is shown to a person (ToString, verbose messages, and the same rule in the views of
/// Altimeter.Auth.format.ps1xml): local time with its offset from UTC, <c>2026-12-04 09:56:13 -05:00</c>.
/// A reader in any zone reads the right hour, and the offset says which clock it is. Files and JSON
/// for programs keep UTC ISO 8601: they are contracts, not text for people.
/// </summary>
internal static class ShownTime
{
    /// <summary>The format, also used by the views (<c>ToString('yyyy-MM-dd HH:mm:ss zzz')</c> of the local time).</summary>
    public const string Format = "yyyy-MM-dd HH:mm:ss zzz";

    public static string Of(DateTimeOffset time) => time.ToLocalTime().ToString(Format, CultureInfo.InvariantCulture);

    /// <summary>A <see cref="DateTime"/> of unspecified kind is UTC here: the engine and the SDK hold expiries in UTC.</summary>
    public static string Of(DateTime time) =>
        Of(time.Kind == DateTimeKind.Local ? new DateTimeOffset(time) : new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc)));
}
