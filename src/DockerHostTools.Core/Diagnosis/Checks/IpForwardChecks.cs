using DockerHostTools.Core.Repair;
using DockerHostTools.Core.Sysctl;

namespace DockerHostTools.Core.Diagnosis;

/// <summary>Cause 3: turns the forwarding state of each family into findings.</summary>
public static class IpForwardChecks
{
    /// <summary>The findings for one family's state plus the reset risks found on the host.</summary>
    public static IEnumerable<Finding> Evaluate(IpForwardState state, IReadOnlyList<string> resetRisks, bool ipv6InPlay = false)
    {
        return Evaluate(IpForwardFact.From(state), resetRisks, ipv6InPlay);
    }

    /// <summary>
    /// The findings for one switch's facts plus the reset risks found on the host (those of its family). IPv6 is judged as
    /// IPv4 is, but only where the engine has IPv6 in play (<paramref name="ipv6InPlay"/>: ip6tables in use by the engine
    /// and a container with an IPv6 address); elsewhere IPv6 forwarding is no business of Docker's published ports.
    /// <c>net.ipv6.conf.default.forwarding</c> off is a Warning: it decides only interfaces created from now on (a new
    /// Docker network's bridge), while <c>all</c> decides the forwarding of every packet.
    /// </summary>
    public static IEnumerable<Finding> Evaluate(IpForwardFact state, IReadOnlyList<string> resetRisks, bool ipv6InPlay = false)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(resetRisks);
        var isV4 = state.Family == IpFamily.IPv4;
        if (!isV4 && !ipv6InPlay)
        {
            yield break; // an engine without IPv6 (or an IPv4-only host): nothing to say about IPv6 forwarding
        }

        var evidence = Evidence(state);
        var subject = FindingSubject.ForForwarding(state.Family, state.Key);
        var isDefault = state.Key == IpForward.DefaultIPv6Key;
        var blocking = isDefault ? FindingSeverity.Warning : FindingSeverity.Error;
        var family = isV4 ? string.Empty : " -Family IPv6";
        var repair = Remedy.PowerShell($"Repair-IpForward{family} -Confirm:$false");
        var keys = IpForward.KeysOf(state.Family);
        var shell = Remedy.Bash($"printf '%s\\n' {string.Join(' ', keys.Select(k => $"'{k} = 1'"))} >> {IpForward.DefaultDropInPath}", $"sysctl -p {IpForward.DefaultDropInPath}");
        if (isV4)
        {
            shell = Remedy.Bash($"echo '{state.Key} = 1' > {IpForward.DefaultDropInPath}", $"sysctl -p {IpForward.DefaultDropInPath}");
        }

        // A file that could not be read may set the key too: a verdict on what the files persist stands (it is what the
        // readable files say), but its message says it may be wrong and names the files (the confidence is lowered, not
        // the verdict changed). The runtime value is read from /proc, so IpForwardDisabled needs no such word.
        var doubt = state.Unreadable.Count == 0 ? string.Empty
            : $" This may be wrong: {state.Unreadable.Count} file(s) that may set {state.Key} could not be read ({string.Join(", ", state.Unreadable)}).";
        var runtimeOff = state.RuntimeValue == "0";
        var persistedOff = state.PersistedValue is not null && long.TryParse(state.PersistedValue, out var pv) && pv == 0;

        if (runtimeOff)
        {
            yield return new Finding(FindingIds.IpForwardDisabled, blocking, subject,
                isDefault
                    ? $"{state.Key} is 0: interfaces created from now on (the bridge of a new Docker network) do not forward IPv6, so outside clients time out on the ports they publish over IPv6."
                    : $"{state.Key} is 0: the host does not forward {(isV4 ? string.Empty : "IPv6 ")}packets to containers, so outside clients time out on {(isV4 ? "published ports" : "ports published over IPv6")}.",
                evidence, [repair, shell], RepairIntent.PersistForwarding(state.Family));
        }

        if (persistedOff)
        {
            yield return new Finding(FindingIds.IpForwardOverridden, FindingSeverity.Warning, subject,
                $"{state.PersistedSource} sets {state.Key} = {state.PersistedValue} and is applied last: forwarding goes off at the next boot, network restart or sysctl --system." + doubt,
                evidence, [Remedy.PowerShell($"Repair-IpForward{family} -Force -Confirm:$false"), Remedy.Bash($"sed -i 's/^{state.PersistedKey}/# &/' {state.PersistedFile}")],
                RepairIntent.PersistForwarding(state.Family, overrideLaterFiles: true));
        }
        else if (state.PersistedSource is null && state.RuntimeValue is not null)
        {
            yield return new Finding(FindingIds.IpForwardNotPersisted, FindingSeverity.Warning, subject,
                (runtimeOff
                    ? $"No sysctl file sets {state.Key}: even once it is switched on again, the next network restart or reboot switches it off."
                    : $"No sysctl file sets {state.Key}: it is on only because dockerd switched it on, and a network restart or reboot switches it off.") + doubt,
                evidence, [repair, shell], RepairIntent.PersistForwarding(state.Family));
        }

        if (!isDefault)
        {
            foreach (var risk in resetRisks)
            {
                yield return new Finding(FindingIds.IpForwardResetRisk, FindingSeverity.Warning, subject,
                    $"{risk}: it can switch forwarding off again whatever sysctl.d says.",
                    [risk], [Remedy.PowerShell($"Repair-IpForward{family} -Confirm:$false  # once that setting is removed (or set to yes)")], RepairIntent.Nothing);
            }
        }
    }

    private static string[] Evidence(IpForwardFact s)
    {
        var list = new List<string> { $"/proc/sys/{s.Key.Replace('.', '/')} = {s.RuntimeValue ?? "(unreadable)"}" };
        list.AddRange(s.Assignments);
        if (s.Assignments.Count == 0)
        {
            list.Add(s.Unreadable.Count == 0 ? "no sysctl.d file or /etc/sysctl.conf sets it" : "no readable sysctl.d file or /etc/sysctl.conf sets it");
        }

        list.AddRange(s.Unreadable.Select(u => $"could not be read: {u}"));

        return [.. list];
    }
}
