using Tomlyn.Model;
using Tomlyn.Serialization;

namespace Altimeter.Auth;

/// <summary>
/// The TOML document model, read without reflection (Tomlyn's source generator): what lets the
/// engine be compiled ahead of time for the native credential_process program.
/// </summary>
[TomlSerializable(typeof(TomlTable))]
internal sealed partial class AccessorTomlContext : TomlSerializerContext
{
}
