using System.Collections;
using System.Linq;
using System.Management.Automation;

namespace Altimeter.Auth.Commands;

/// <summary>Turns what a user typed (hashtables, [pscustomobject]s, arrays, all maybe wrapped in PSObject) into plain .NET values for the engine.</summary>
internal static class PowerShellValues
{
    public static object? Unwrap(object? value)
    {
        var baseObject = value is PSObject wrapped ? wrapped.BaseObject : value;
        switch (baseObject)
        {
            case string:
                return baseObject;
            case IDictionary table:
                var copy = new Hashtable();
                foreach (DictionaryEntry entry in table)
                {
                    copy[entry.Key] = Unwrap(entry.Value);
                }

                return copy;
            case PSCustomObject when value is PSObject custom:
                var properties = new Hashtable();
                foreach (var property in custom.Properties)
                {
                    properties[property.Name] = Unwrap(property.Value);
                }

                return properties;
            case IEnumerable list:
                return list.Cast<object?>().Select(Unwrap).ToArray();
            default:
                return baseObject;
        }
    }
}
