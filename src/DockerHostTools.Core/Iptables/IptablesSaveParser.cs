using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace DockerHostTools.Core.Iptables;

/// <summary>Which iptables implementation printed a ruleset.</summary>
public enum IptablesVariant
{
    /// <summary>Not known: iptables 1.4.x prints no variant tag in its header.</summary>
    Unknown,

    /// <summary>iptables-nft (the nf_tables based variant, header tag <c>(nf_tables)</c>).</summary>
    Nft,

    /// <summary>iptables-legacy (the x_tables based variant, header tag <c>(legacy)</c> or none).</summary>
    Legacy,
}

/// <summary>Parses the output of <c>iptables-save</c> (1.4.21, 1.8 nft and legacy) into tables, chains and rules.</summary>
public static partial class IptablesSaveParser
{
    /// <summary>The line iptables-nft-save prints (on stderr in 1.8.9) when legacy tables hold rules too.</summary>
    public const string LegacyTablesWarning = "iptables-legacy tables present";

    /// <summary>Parses one <c>iptables-save</c> output.</summary>
    /// <param name="text">The standard output of the save program.</param>
    /// <param name="variant">The variant that was asked (the program that ran); used when the header has no tag.</param>
    public static IptablesRuleset Parse(string text, IptablesVariant variant)
    {
        ArgumentNullException.ThrowIfNull(text);
        string? version = null;
        var tagged = IptablesVariant.Unknown;
        var legacyWarning = false;
        var tables = new List<IptablesTable>();
        string? tableName = null;
        var chains = new List<IptablesChain>();
        var rules = new List<IptablesRule>();
        var lineNumber = 0;

        foreach (var raw in text.Split('\n'))
        {
            lineNumber++;
            var line = raw.TrimEnd('\r');
            if (line.Length == 0)
            {
                continue;
            }

            if (line[0] == '#')
            {
                if (line.Contains(LegacyTablesWarning, StringComparison.Ordinal))
                {
                    legacyWarning = true;
                }

                var header = HeaderRegex().Match(line);
                if (header.Success)
                {
                    version ??= header.Groups["version"].Value;
                    var tag = header.Groups["tag"].Value;
                    if (tagged == IptablesVariant.Unknown)
                    {
                        tagged = tag switch
                        {
                            "nf_tables" => IptablesVariant.Nft,
                            "legacy" => IptablesVariant.Legacy,
                            _ => IptablesVariant.Unknown,
                        };
                    }
                }

                continue;
            }

            if (line[0] == '*')
            {
                tableName = line[1..].Trim();
                chains = [];
                rules = [];
                continue;
            }

            if (tableName is null)
            {
                throw new FormatException($"iptables-save line {lineNumber} comes before any '*table' line: {line}");
            }

            if (line[0] == ':')
            {
                var parts = line[1..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length < 2)
                {
                    throw new FormatException($"iptables-save line {lineNumber} is not a chain line: {line}");
                }

                var policy = parts[1] == "-" ? null : parts[1];
                chains.Add(new IptablesChain(tableName, parts[0], policy));
                continue;
            }

            if (line == "COMMIT")
            {
                tables.Add(new IptablesTable(tableName, chains, rules));
                tableName = null;
                continue;
            }

            if (line.StartsWith("-A ", StringComparison.Ordinal) || line.StartsWith("[", StringComparison.Ordinal))
            {
                rules.Add(IptablesRule.Parse(tableName, line));
                continue;
            }

            throw new FormatException($"iptables-save line {lineNumber} is not understood: {line}");
        }

        if (tableName is not null)
        {
            // A save cut off before COMMIT (a killed program): keep what was read.
            tables.Add(new IptablesTable(tableName, chains, rules));
        }

        var effective = tagged != IptablesVariant.Unknown ? tagged : variant;
        return new IptablesRuleset(effective, version, tagged != IptablesVariant.Unknown, legacyWarning, tables);
    }

    /// <summary>Splits a rule line into arguments the way the shell that iptables-restore mimics would: double quotes group, backslash escapes.</summary>
    internal static IReadOnlyList<string> Tokenize(string line)
    {
        var tokens = new List<string>();
        var current = new StringBuilder();
        var inQuotes = false;
        var has = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (c == '\\' && i + 1 < line.Length)
            {
                current.Append(line[++i]);
                has = true;
            }
            else if (c == '"')
            {
                inQuotes = !inQuotes;
                has = true;
            }
            else if (c == ' ' && !inQuotes)
            {
                if (has)
                {
                    tokens.Add(current.ToString());
                    current.Clear();
                    has = false;
                }
            }
            else
            {
                current.Append(c);
                has = true;
            }
        }

        if (has)
        {
            tokens.Add(current.ToString());
        }

        return tokens;
    }

    [GeneratedRegex(@"^# Generated by (?:ip6?tables|xtables)(?:-(?:nft|legacy))?-save v(?<version>[0-9][0-9.]*)(?: \((?<tag>[a-z_]+)\))?")]
    private static partial Regex HeaderRegex();

    internal static int? ParseInt(string? s) =>
        int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : null;
}

/// <summary>One parsed <c>iptables-save</c> output.</summary>
public sealed class IptablesRuleset
{
    /// <summary>Creates a ruleset.</summary>
    public IptablesRuleset(IptablesVariant variant, string? version, bool variantFromHeader, bool legacyTablesPresent, IReadOnlyList<IptablesTable> tables)
    {
        Variant = variant;
        Version = version;
        VariantFromHeader = variantFromHeader;
        LegacyTablesPresent = legacyTablesPresent;
        Tables = tables;
    }

    /// <summary>The variant: from the header tag when it has one, else the variant of the program that ran.</summary>
    public IptablesVariant Variant { get; }

    /// <summary>The iptables version from the header (<c>1.8.9</c>, <c>1.4.21</c>), null when there was no header (no tables).</summary>
    public string? Version { get; }

    /// <summary>True when the header named the variant (1.8 nft does; 1.4.21 and 1.8 legacy may not).</summary>
    public bool VariantFromHeader { get; }

    /// <summary>True when the output said that iptables-legacy tables are present too.</summary>
    public bool LegacyTablesPresent { get; }

    /// <summary>The tables, in the order printed.</summary>
    public IReadOnlyList<IptablesTable> Tables { get; }

    /// <summary>True when any table holds a rule or a user chain.</summary>
    public bool HoldsRules => Tables.Any(t => t.Rules.Count > 0 || t.Chains.Any(c => !c.IsBuiltIn));

    /// <summary>The table of that name, or null.</summary>
    public IptablesTable? Table(string name) => Tables.FirstOrDefault(t => t.Name == name);
}

/// <summary>One table (<c>*nat</c>, <c>*filter</c>...) of a ruleset.</summary>
public sealed class IptablesTable
{
    /// <summary>Creates a table.</summary>
    public IptablesTable(string name, IReadOnlyList<IptablesChain> chains, IReadOnlyList<IptablesRule> rules)
    {
        Name = name;
        Chains = chains;
        Rules = rules;
    }

    /// <summary>The table name.</summary>
    public string Name { get; }

    /// <summary>The chains declared in the table.</summary>
    public IReadOnlyList<IptablesChain> Chains { get; }

    /// <summary>The rules, in order.</summary>
    public IReadOnlyList<IptablesRule> Rules { get; }

    /// <summary>The chain of that name, or null when the table has no such chain.</summary>
    public IptablesChain? Chain(string name) => Chains.FirstOrDefault(c => c.Name == name);

    /// <summary>The rules appended to a chain, in order.</summary>
    public IEnumerable<IptablesRule> RulesOf(string chain) => Rules.Where(r => r.Chain == chain);

    /// <summary>The rules that jump to (or go to) a chain.</summary>
    public IEnumerable<IptablesRule> JumpsTo(string chain) => Rules.Where(r => r.Target == chain);
}

/// <summary>A chain of a table.</summary>
public sealed class IptablesChain
{
    /// <summary>Creates a chain.</summary>
    public IptablesChain(string table, string name, string? policy)
    {
        Table = table;
        Name = name;
        Policy = policy;
    }

    /// <summary>The table.</summary>
    public string Table { get; }

    /// <summary>The chain name.</summary>
    public string Name { get; }

    /// <summary>The policy of a built-in chain (<c>ACCEPT</c>, <c>DROP</c>); null for a user chain.</summary>
    public string? Policy { get; }

    /// <summary>True for a built-in chain (it has a policy).</summary>
    public bool IsBuiltIn => Policy is not null;
}

/// <summary>One rule line (<c>-A CHAIN ...</c>).</summary>
public sealed class IptablesRule
{
    private IptablesRule(string table, string chain, string text, IReadOnlyList<string> arguments)
    {
        Table = table;
        Chain = chain;
        Text = text;
        Arguments = arguments;
        Target = Value("-j") ?? Value("--jump") ?? Value("-g") ?? Value("--goto");
    }

    /// <summary>The table.</summary>
    public string Table { get; }

    /// <summary>The chain the rule is appended to.</summary>
    public string Chain { get; }

    /// <summary>The line as printed.</summary>
    public string Text { get; }

    /// <summary>The arguments after <c>-A CHAIN</c>.</summary>
    public IReadOnlyList<string> Arguments { get; }

    /// <summary>The target (<c>-j</c>/<c>-g</c>), or null for a rule without one.</summary>
    public string? Target { get; }

    /// <summary>The value after the first occurrence of an option, or null.</summary>
    public string? Value(string option)
    {
        for (var i = 0; i < Arguments.Count - 1; i++)
        {
            if (Arguments[i] == option)
            {
                return Arguments[i + 1];
            }
        }

        return null;
    }

    /// <summary>True when the option is present and negated (<c>! -i docker0</c>).</summary>
    public bool IsNegated(string option)
    {
        for (var i = 1; i < Arguments.Count; i++)
        {
            if (Arguments[i] == option && Arguments[i - 1] == "!")
            {
                return true;
            }
        }

        return false;
    }

    internal static IptablesRule Parse(string table, string line)
    {
        var tokens = IptablesSaveParser.Tokenize(line).ToList();
        if (tokens.Count > 0 && tokens[0].StartsWith('['))
        {
            tokens.RemoveAt(0); // packet counters of iptables-save -c
        }

        if (tokens.Count < 2 || tokens[0] != "-A")
        {
            throw new FormatException($"Not a rule line: {line}");
        }

        return new IptablesRule(table, tokens[1], line, tokens.Skip(2).ToList());
    }

    /// <inheritdoc />
    public override string ToString() => Text;
}
