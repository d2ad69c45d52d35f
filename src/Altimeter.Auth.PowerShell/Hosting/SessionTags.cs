using System;
using System.Management.Automation;
using Altimeter.Auth;

namespace Altimeter.Auth.Commands;

/// <summary>
/// Marks what a block wrote with the account and region it ran as, as Invoke-Command marks its
/// output with PSComputerName: note properties <c>AltimeterAccountId</c> and <c>AltimeterRegion</c>.
/// </summary>
internal static class SessionTags
{
    public const string AccountIdProperty = "AltimeterAccountId";
    public const string RegionProperty = "AltimeterRegion";

    /// <summary>
    /// <paramref name="output"/> with the two properties of <paramref name="session"/> (replacing
    /// those of an inner block's session); null stays null. A string or value type is copied into a
    /// new PSObject, which carries them (notes a block added to it are not kept); an object of a
    /// reference type carries them itself, so an object two blocks wrote keeps the last block's.
    /// </summary>
    public static object? Tag(object? output, AltimeterSession session)
    {
        if (output is null)
        {
            return null;
        }

        // A PSObject keeps its notes by its base object, and PowerShell hands the same box of a small
        // number, or the same string, to every block that writes it: a value gets a copy of its own.
        var baseObject = output is PSObject wrapped ? wrapped.BaseObject : output;
        var tagged = baseObject switch
        {
            string text => new PSObject(new string(text.ToCharArray())),
            ValueType value => new PSObject(Reboxed(value)),
            _ => PSObject.AsPSObject(output),
        };
        Set(tagged, AccountIdProperty, session.AccountId);
        Set(tagged, RegionProperty, session.Region);
        return tagged;
    }

    // A new box holding the same value (Array.GetValue boxes afresh).
    private static object Reboxed(ValueType value)
    {
        var holder = Array.CreateInstance(value.GetType(), 1);
        holder.SetValue(value, 0);
        return holder.GetValue(0)!;
    }

    private static void Set(PSObject tagged, string name, string value)
    {
        tagged.Properties.Remove(name);
        tagged.Properties.Add(new PSNoteProperty(name, value));
    }
}
