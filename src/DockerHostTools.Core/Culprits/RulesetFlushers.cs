using System.Text.RegularExpressions;
using DockerHostTools.Core.Native;

namespace DockerHostTools.Core.Culprits;

/// <summary>
/// What removes Docker's rules besides firewalld: a command that replaces whole nf_tables or iptables tables. Used by the
/// journal's ranking (a unit that ran one of them) and by the check of nftables.service.
/// </summary>
public static partial class RulesetFlushers
{
    /// <summary>Folders systemd loads units from, the first that holds a unit wins (drop-ins of all are read).</summary>
    public static readonly IReadOnlyList<string> UnitFolders =
        ["/etc/systemd/system", "/run/systemd/system", "/usr/local/lib/systemd/system", "/usr/lib/systemd/system", "/lib/systemd/system"];

    /// <summary>The longest unit file or nft script read (a larger one is not a unit or config a person wrote).</summary>
    public const int MaxFileBytes = 1024 * 1024;

    /// <summary>How long the reads of one unit's files may take together (a slow or hung file system).</summary>
    public static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The commands of a unit as its files say (ExecStart, ExecStartPre, ExecStartPost, ExecReload, ExecStop, ExecStopPost; an empty assignment in
    /// a drop-in resets the list), or empty when no unit file is found. Files that cannot be read are skipped.
    /// </summary>
    public static IReadOnlyList<string> UnitCommands(IHostFileSystem fs, string unit, CancellationToken cancellationToken) =>
        UnitExec(fs, unit, cancellationToken).Values.SelectMany(v => v).ToList();

    /// <summary>
    /// The commands of a unit by setting (ExecStart, ExecStartPre, ExecStartPost, ExecReload, ExecStop, ExecStopPost), as
    /// <see cref="UnitCommands"/> reads them.
    /// </summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> UnitExec(IHostFileSystem fs, string unit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fs);
        ArgumentException.ThrowIfNullOrWhiteSpace(unit);
        if (unit.Contains('/', StringComparison.Ordinal) || unit.Contains('\0', StringComparison.Ordinal))
        {
            return new Dictionary<string, IReadOnlyList<string>>();
        }

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(ReadTimeout);
        var files = new List<string>();
        var main = UnitFolders.Select(d => $"{d}/{unit}").FirstOrDefault(p => SafeExists(fs, p));
        if (main is not null)
        {
            files.Add(main);
        }

        foreach (var dir in UnitFolders.Reverse())
        {
            try
            {
                files.AddRange(fs.ListFiles($"{dir}/{unit}.d").Where(f => f.EndsWith(".conf", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // a drop-in folder that cannot be listed: its commands stay unknown
            }
        }

        var commands = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            string text;
            try
            {
                text = fs.ReadAllText(file, MaxFileBytes, cts.Token);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                break; // too slow: what was read so far
            }

            var inService = false;
            foreach (var raw in text.Replace("\\\n", " ", StringComparison.Ordinal).Split('\n'))
            {
                var line = raw.Trim();
                if (line.StartsWith('['))
                {
                    inService = line == "[Service]";
                    continue;
                }

                var eq = line.IndexOf('=', StringComparison.Ordinal);
                if (!inService || eq <= 0 || line.StartsWith('#') || line.StartsWith(';'))
                {
                    continue;
                }

                var key = line[..eq].Trim();
                if (key is not ("ExecStart" or "ExecStartPre" or "ExecStartPost" or "ExecReload" or "ExecStop" or "ExecStopPost"))
                {
                    continue;
                }

                var value = line[(eq + 1)..].Trim();
                if (!commands.TryGetValue(key, out var list))
                {
                    commands[key] = list = [];
                }

                if (value.Length == 0)
                {
                    list.Clear();
                }
                else
                {
                    list.Add(value.TrimStart('@', '-', ':', '+', '!'));
                }
            }
        }

        return commands.ToDictionary(c => c.Key, c => (IReadOnlyList<string>)c.Value, StringComparer.Ordinal);
    }

    /// <summary>The file an <c>nft -f FILE</c> (or <c>--file FILE</c>) command loads, or null.</summary>
    public static string? NftScript(string command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var words = command.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0 || !IsProgram(words[0], "nft"))
        {
            return null;
        }

        for (var i = 1; i < words.Length - 1; i++)
        {
            if (words[i] is "-f" or "--file")
            {
                return words[i + 1].Trim('"', '\'');
            }
        }

        return null;
    }

    /// <summary>
    /// Why a command removes Docker's rules, or null when it does not (as far as its words tell): <c>nft flush ruleset</c>,
    /// <c>nft -f</c> of a script that flushes the ruleset (read through <paramref name="readScript"/>, null when unreadable),
    /// <c>iptables-restore</c> without <c>--noflush</c>, <c>netfilter-persistent</c>, <c>systemctl restart|reload|start nftables</c>.
    /// </summary>
    public static string? Describe(string command, Func<string, string?>? readScript)
    {
        ArgumentNullException.ThrowIfNull(command);
        var words = command.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0)
        {
            return null;
        }

        // A shell command line: look at each command in it.
        if (IsProgram(words[0], "sh") || IsProgram(words[0], "bash"))
        {
            var c = Array.IndexOf(words, "-c");
            if (c >= 0 && c < words.Length - 1)
            {
                var script = string.Join(' ', words[(c + 1)..]).Trim('"', '\'');
                foreach (var part in ShellSplit().Split(script))
                {
                    if (Describe(part.Trim(), readScript) is { } why)
                    {
                        return why;
                    }
                }
            }

            return null;
        }

        if (IsProgram(words[0], "nft"))
        {
            var rest = string.Join(' ', words[1..]);
            if (FlushRuleset().IsMatch(rest))
            {
                return $"it ran '{command}', which deletes every nf_tables table (Docker's iptables-nft tables too)";
            }

            if (NftScript(command) is { } file && readScript?.Invoke(file) is { } text && NftablesConfig.Parse(text) is { FlushesRuleset: true } facts)
            {
                return $"it ran 'nft -f {file}', and {file} has 'flush ruleset' ({facts.FlushLine}), which deletes every nf_tables table (Docker's iptables-nft tables too)";
            }

            return null;
        }

        if (IsProgram(words[0], "iptables-restore") || IsProgram(words[0], "ip6tables-restore") ||
            IsProgram(words[0], "iptables-nft-restore") || IsProgram(words[0], "iptables-legacy-restore"))
        {
            return words.Any(w => w is "-n" or "--noflush")
                ? null
                : $"it ran '{command}', which replaces every table its input names (without --noflush: Docker's chains in those tables go)";
        }

        if (IsProgram(words[0], "netfilter-persistent"))
        {
            return $"it ran '{command}', whose iptables plugin runs iptables-restore of the saved rules (Docker's chains are replaced)";
        }

        if (IsProgram(words[0], "systemctl") && words.Length >= 3 && words[1] is "start" or "restart" or "reload" or "reload-or-restart" or "try-restart" &&
            words[2..].Any(u => u is "nftables" or "nftables.service" or "netfilter-persistent" or "netfilter-persistent.service"))
        {
            return $"it ran '{command}'";
        }

        return null;
    }

    private static bool IsProgram(string word, string name) =>
        word == name || word.EndsWith("/" + name, StringComparison.Ordinal);

    private static bool SafeExists(IHostFileSystem fs, string path)
    {
        try
        {
            return fs.FileExists(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"\bflush\s+ruleset\b", RegexOptions.CultureInvariant)]
    private static partial Regex FlushRuleset();

    [GeneratedRegex(@"&&|\|\||;|\|", RegexOptions.CultureInvariant)]
    private static partial Regex ShellSplit();
}
