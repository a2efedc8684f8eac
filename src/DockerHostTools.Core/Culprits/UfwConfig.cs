using System.Globalization;
using System.Text.RegularExpressions;

namespace DockerHostTools.Core.Culprits;

/// <summary>One ufw rule as ufw keeps it (<c>/etc/ufw/user.rules</c>: <c>### tuple ### deny any 5000 0.0.0.0/0 any 0.0.0.0/0 in</c>).</summary>
public sealed record UfwRule
{
    /// <summary>allow, deny, reject, limit.</summary>
    public string Action { get; init; } = string.Empty;

    /// <summary>tcp, udp, any...</summary>
    public string Protocol { get; init; } = "any";

    /// <summary>The destination port(s) as ufw writes them: <c>5000</c>, <c>5000:5010</c>, <c>80,443</c>, <c>any</c>.</summary>
    public string Ports { get; init; } = "any";

    /// <summary>The source address.</summary>
    public string Source { get; init; } = "0.0.0.0/0";

    /// <summary>in, out, or route (a <c>ufw route</c> rule: the ufw-user-forward chain).</summary>
    public string Direction { get; init; } = "in";

    /// <summary>The file and the rule as ufw would list it (<c>user.rules: deny any 5000 from 0.0.0.0/0 in</c>).</summary>
    public string Text { get; init; } = string.Empty;

    /// <summary>True when the rule names <paramref name="port"/> for <paramref name="protocol"/> (a list, a range, or the port itself).</summary>
    public bool Names(int port, string protocol)
    {
        if (Protocol != "any" && !string.Equals(Protocol, protocol, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        foreach (var part in Ports.Split(','))
        {
            var range = part.Split(':');
            if (range.Length == 1 && int.TryParse(range[0], NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p == port)
            {
                return true;
            }

            if (range.Length == 2 && int.TryParse(range[0], NumberStyles.None, CultureInfo.InvariantCulture, out var lo) &&
                int.TryParse(range[1], NumberStyles.None, CultureInfo.InvariantCulture, out var hi) && lo <= port && port <= hi)
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>ufw's files: whether it is enabled (<c>/etc/ufw/ufw.conf</c>) and its rules (<c>user.rules</c>, <c>user6.rules</c>).</summary>
public static partial class UfwConfig
{
    /// <summary>ufw's switch file.</summary>
    public const string ConfPath = "/etc/ufw/ufw.conf";

    /// <summary>ufw's IPv4 and IPv6 rule files.</summary>
    public static readonly IReadOnlyList<string> RuleFiles = ["/etc/ufw/user.rules", "/etc/ufw/user6.rules"];

    /// <summary>The chains ufw loads into the filter table (ufw-user-input holds the rules of <c>ufw allow/deny PORT</c>).</summary>
    public const string UserInputChain = "ufw-user-input";

    [GeneratedRegex(@"^\s*ENABLED\s*=\s*""?(\w+)""?", RegexOptions.CultureInvariant | RegexOptions.Multiline)]
    private static partial Regex EnabledLine();

    /// <summary>True for <c>ENABLED=yes</c>, false for another value, null when the file does not say.</summary>
    public static bool? Enabled(string confText)
    {
        ArgumentNullException.ThrowIfNull(confText);
        var m = EnabledLine().Matches(confText).LastOrDefault();
        return m is null ? null : string.Equals(m.Groups[1].Value, "yes", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The rules of one rule file (its <c>### tuple ###</c> lines); <paramref name="file"/> names it in each rule's text.</summary>
    public static IReadOnlyList<UfwRule> ParseRules(string text, string file)
    {
        ArgumentNullException.ThrowIfNull(text);
        var rules = new List<UfwRule>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            const string Tag = "### tuple ###";
            if (!line.StartsWith(Tag, StringComparison.Ordinal))
            {
                continue;
            }

            // action proto dport dst sport src [app names ...] [direction]; a route rule's action is route:ACTION.
            var w = line[Tag.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (w.Length < 6)
            {
                continue;
            }

            var action = w[0];
            var direction = w[^1] is "in" or "out" ? w[^1] : "in";
            if (action.StartsWith("route:", StringComparison.Ordinal))
            {
                action = action["route:".Length..];
                direction = "route";
            }

            // "_log" and "_log-all" suffixes belong to the action.
            var plain = action.Split('_')[0];
            rules.Add(new UfwRule
            {
                Action = plain, Protocol = w[1], Ports = w[2], Source = w[5], Direction = direction,
                Text = $"{System.IO.Path.GetFileName(file)}: {(direction == "route" ? "route " : string.Empty)}{plain} {w[1]} {w[2]} from {w[5]} {(direction == "route" ? string.Empty : direction)}".TrimEnd(),
            });
        }

        return rules;
    }
}
