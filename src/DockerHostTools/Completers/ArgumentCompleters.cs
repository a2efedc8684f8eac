using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using DockerHostTools.Core.Docker;
using DockerHostTools.Core.Firewalld;
using DockerHostTools.Core.Native;

namespace DockerHostTools.Commands.Completers;

/// <summary>
/// What every completer shares: the live read gets a short budget, any failure (daemon absent, no permission, timeout)
/// means no candidates, and nothing is ever written. Candidates match the typed word as a prefix, or as a wildcard
/// pattern when it holds one, without regard to case.
/// </summary>
internal static class Completion
{
    /// <summary>How long a live read may take while the user waits at the prompt.</summary>
    public static readonly TimeSpan Budget = TimeSpan.FromMilliseconds(1500);

    public static IEnumerable<CompletionResult> Match(IEnumerable<string> candidates, string? wordToComplete)
    {
        var word = (wordToComplete ?? string.Empty).Trim('\'', '"');
        var pattern = WildcardPattern.ContainsWildcardCharacters(word)
            ? new WildcardPattern(word, WildcardOptions.IgnoreCase)
            : new WildcardPattern(WildcardPattern.Escape(word) + "*", WildcardOptions.IgnoreCase);
        return candidates
            .Where(c => !string.IsNullOrEmpty(c) && pattern.IsMatch(c))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.OrdinalIgnoreCase)
            .Select(c => new CompletionResult(Quote(c), c, CompletionResultType.ParameterValue, c))
            .ToList();
    }

    /// <summary>Runs a live read within the budget; an exception of any kind, or running out of time, gives nothing.</summary>
    public static IEnumerable<string> Read(Func<CancellationToken, Task<IEnumerable<string>>> read)
    {
        try
        {
            using var cts = new CancellationTokenSource(Budget);
            var task = read(cts.Token);
            return task.Wait(Budget) ? task.Result : [];
        }
        catch (Exception)
        {
            return [];
        }
    }

    public static NativeCommand WithBudget(NativeCommand command) =>
        new(command.Program, [.. command.Arguments]) { Timeout = Budget };

    private static string Quote(string value) =>
        value.Any(c => char.IsWhiteSpace(c) || "'\"`$&|;,(){}@#<>".Contains(c)) ? "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'" : value;
}

/// <summary>firewalld's zones, read live over D-Bus (busctl, never starting firewalld); nothing when firewalld does not answer.</summary>
public sealed class FirewalldZoneCompleter : IArgumentCompleter
{
    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) =>
        Completion.Match(Completion.Read(async ct =>
        {
            var command = Completion.WithBudget(FirewalldReader.BusctlJsonCommand("call", "org.fedoraproject.FirewallD1",
                "/org/fedoraproject/FirewallD1", "org.fedoraproject.FirewallD1.zone", "getZones"));
            var result = await CliWrapRunner.Instance.RunAsync(command, ct).ConfigureAwait(false);
            return FirewalldBusctlParser.ParseStringArray(result.ExitCode, result.StandardOutput) ?? [];
        }), wordToComplete);
}

/// <summary>The network interfaces of this namespace (the names under /sys/class/net).</summary>
public sealed class NetworkInterfaceCompleter : IArgumentCompleter
{
    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) =>
        Completion.Match(Completion.Read(_ => Task.FromResult<IEnumerable<string>>(
            Directory.EnumerateFileSystemEntries("/sys/class/net").Select(Path.GetFileName).OfType<string>().ToList())), wordToComplete);
}

/// <summary>The protocols firewalld ports take: tcp, udp, sctp, dccp.</summary>
public sealed class PortProtocolCompleter : IArgumentCompleter
{
    /// <summary>The protocols, in firewalld's order.</summary>
    public static readonly IReadOnlyList<string> Protocols = ["tcp", "udp", "sctp", "dccp"];

    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var word = wordToComplete ?? string.Empty;
        return Protocols.Where(p => p.StartsWith(word.Trim('\'', '"'), StringComparison.OrdinalIgnoreCase))
            .Select(p => new CompletionResult(p, p, CompletionResultType.ParameterValue, p)).ToList();
    }
}

/// <summary>systemd's service units, read live (systemctl list-units --all); nothing when systemd does not answer.</summary>
public sealed class SystemdUnitCompleter : IArgumentCompleter
{
    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) =>
        Completion.Match(Completion.Read(async ct =>
        {
            var command = new NativeCommand("systemctl", "list-units", "--all", "--type=service", "--plain", "--no-legend", "--no-pager", "--full")
            {
                Timeout = Completion.Budget,
            };
            var result = await CliWrapRunner.Instance.RunAsync(command, ct).ConfigureAwait(false);
            if (result.ExitCode != 0)
            {
                return [];
            }

            return result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(l => l.Split(' ', 2)[0])
                .Where(u => u.EndsWith(".service", StringComparison.Ordinal))
                .ToList();
        }), wordToComplete);
}

/// <summary>Docker's container names, read live over the Engine API (-Socket when given); nothing when dockerd does not answer.</summary>
public sealed class DockerContainerNameCompleter : IArgumentCompleter
{
    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var socket = fakeBoundParameters?["Socket"] as string;
        return Completion.Match(Completion.Read(async ct =>
        {
            var path = string.IsNullOrWhiteSpace(socket) ? DockerEngineClient.DefaultSocket : socket;
            if (!File.Exists(path))
            {
                return [];
            }

            using var client = new DockerEngineClient(path, Completion.Budget);
            var containers = await client.GetContainersAsync(all: true, ct).ConfigureAwait(false);
            return containers.Select(c => c.Name).ToList();
        }), wordToComplete);
    }
}
