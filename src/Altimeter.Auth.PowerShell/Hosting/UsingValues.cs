using System;
using System.Collections;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Text;

namespace Altimeter.Auth.Commands;

/// <summary>
/// The values of a block's <c>$using:</c> expressions, taken from the caller for a block that runs
/// in another runspace, in the form PowerShell itself passes them (ForEach-Object -Parallel's
/// PSTask, Invoke-Command): a dictionary given as the <c>--%</c> parameter of the script, keyed by
/// the Base64 of the expression's UTF-16 text, lower-cased for a plain variable
/// (UsingExpressionAstSearcher / ScriptBlockToPowerShellConverter.GetUsingValuesForEachParallel).
/// </summary>
internal static class UsingValues
{
    /// <summary>The parameter name under which a script receives its <c>$using:</c> values.</summary>
    public const string ParameterName = "--%";

    /// <summary>
    /// Each <c>$using:</c> expression of <paramref name="block"/>, evaluated in
    /// <paramref name="caller"/>'s session state now (as ForEach-Object -Parallel does when it starts).
    /// </summary>
    /// <exception cref="PSArgumentException">A value is a script block: it belongs to the caller's runspace and cannot run in another.</exception>
    public static Hashtable From(ScriptBlock block, PSCmdlet caller)
    {
        if (block is null) throw new ArgumentNullException(nameof(block));
        if (caller is null) throw new ArgumentNullException(nameof(caller));
        var values = new Hashtable(StringComparer.Ordinal);
        foreach (var expression in block.Ast.FindAll(ast => ast is UsingExpressionAst, searchNestedScriptBlocks: true).Cast<UsingExpressionAst>())
        {
            var key = KeyOf(expression);
            if (values.ContainsKey(key))
            {
                continue;
            }

            var value = ValueOf(expression, caller);
            if (value is ScriptBlock || (value as PSObject)?.BaseObject is ScriptBlock)
            {
                throw new PSArgumentException(
                    $"The $using: value {expression} is a script block: a script block belongs to the runspace that made it and cannot run in the parallel runspaces. Pass its text and make it again in the block with [scriptblock]::Create().");
            }

            values[key] = value;
        }

        return values;
    }

    private static string KeyOf(UsingExpressionAst expression)
    {
        var text = expression.ToString();
        if (expression.SubExpression is VariableExpressionAst)
        {
            text = text.ToLowerInvariant();
        }

        return Convert.ToBase64String(Encoding.Unicode.GetBytes(text));
    }

    // $using:name is the variable's value; $using:name[0] or $using:name.Property is that expression
    // over the value, evaluated in a scope of its own under the caller's (an index may name the caller's variables).
    private static object? ValueOf(UsingExpressionAst expression, PSCmdlet caller)
    {
        var variable = UsingExpressionAst.ExtractUsingVariable(expression);
        var value = caller.SessionState.PSVariable.GetValue(variable.VariablePath.UserPath);
        if (expression.SubExpression is VariableExpressionAst)
        {
            return value;
        }

        var text = expression.SubExpression.Extent.Text;
        var rest = text.Substring(variable.Extent.EndOffset - expression.SubExpression.Extent.StartOffset);
        var lookup = ScriptBlock.Create("$args[0]" + rest);
        var result = caller.SessionState.InvokeCommand.InvokeScript(useLocalScope: true, lookup, null, value);
        return result.Count switch
        {
            0 => null,
            1 => result[0],
            _ => result.ToArray(),
        };
    }
}
