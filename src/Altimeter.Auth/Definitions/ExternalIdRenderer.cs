using System;
using System.Text;
using System.Text.RegularExpressions;

namespace Altimeter.Auth;

/// <summary>
/// The external-id templates altimeter files use: <c>{{ env['X'] }}</c>, <c>{{ env["X"] }}</c>
/// and <c>{{ env.X }}</c>, with any spacing, mixed with literal text. Anything else inside
/// <c>{{ }}</c> (or a Jinja statement or comment) is refused rather than passed through, and the
/// value is used as is: no HTML escaping (the original turned <c>a&amp;b</c> into <c>a&amp;amp;b</c>).
/// Only variables that plainly hold an external id, or that the user allowed, are read (<see cref="ExternalIdVariablePolicy"/>).
/// </summary>
internal static class ExternalIdRenderer
{
    private static readonly Regex s_expression = new(@"\{\{(?<body>.*?)\}\}", RegexOptions.CultureInvariant | RegexOptions.Singleline);

    private static readonly Regex s_envReference = new(
        @"^\s*env\s*(?:\[\s*'(?<name>[^'\]]+)'\s*\]|\[\s*""(?<name>[^""\]]+)""\s*\]|\.\s*(?<name>[A-Za-z_][A-Za-z0-9_]*))\s*$",
        RegexOptions.CultureInvariant);

    /// <summary>True when <paramref name="value"/> has template syntax in it.</summary>
    public static bool IsTemplate(string value) =>
        value.Contains("{{") || value.Contains("{%") || value.Contains("{#");

    /// <summary>
    /// Renders <paramref name="template"/> with <paramref name="environment"/> (a variable name to
    /// its value, or null when unset), reading only what <paramref name="policy"/> (default:
    /// <see cref="ExternalIdVariablePolicy.Default"/>) allows. Throws <see cref="AccessorDefinitionException"/>
    /// naming the variable for a missing or refused one and the expression for unsupported syntax.
    /// </summary>
    public static string Render(string template, Func<string, string?> environment, ExternalIdVariablePolicy? policy = null)
    {
        policy ??= ExternalIdVariablePolicy.Default;
        if (template is null) throw new ArgumentNullException(nameof(template));
        if (environment is null) throw new ArgumentNullException(nameof(environment));
        if (!IsTemplate(template))
        {
            return template;
        }

        var rendered = new StringBuilder();
        var position = 0;
        foreach (Match match in s_expression.Matches(template))
        {
            RequireLiteral(template.Substring(position, match.Index - position));
            rendered.Append(template, position, match.Index - position);

            var body = match.Groups["body"].Value;
            var reference = s_envReference.Match(body);
            if (!reference.Success)
            {
                throw new AccessorDefinitionException(
                    AccessorDefinitionException.TemplateUnsupported,
                    $"external_id template expression '{{{{{body}}}}}' is not supported: use {{{{ env['NAME'] }}}}, {{{{ env[\"NAME\"] }}}} or {{{{ env.NAME }}}}.");
            }

            var name = reference.Groups["name"].Value;
            policy.Require(name);
            var value = environment(name) ?? throw new AccessorDefinitionException(
                AccessorDefinitionException.VariableMissing,
                $"external_id reads environment variable '{name}', which is not set.");
            rendered.Append(value);
            position = match.Index + match.Length;
        }

        RequireLiteral(template.Substring(position));
        rendered.Append(template, position, template.Length - position);
        return rendered.ToString();
    }

    private static void RequireLiteral(string text)
    {
        if (IsTemplate(text) || text.Contains("}}"))
        {
            throw new AccessorDefinitionException(
                AccessorDefinitionException.TemplateUnsupported,
                "external_id has template syntax other than {{ env['NAME'] }} expressions (an unclosed '{{', a '{%' statement or a '{#' comment).");
        }
    }
}
