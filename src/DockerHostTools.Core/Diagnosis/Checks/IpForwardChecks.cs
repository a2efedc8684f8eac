using DockerHostTools.Core.Repair;
using DockerHostTools.Core.Sysctl;

namespace DockerHostTools.Core.Diagnosis;

/// <summary>Cause 3: turns the forwarding state of each family into findings.</summary>
public static class IpForwardChecks
{
    /// <summary>The findings for one family's state plus the reset risks found on the host.</summary>
    public static IEnumerable<Finding> Evaluate(IpForwardState state, IReadOnlyList<string> resetRisks)
    {
        return Evaluate(IpForwardFact.From(state), resetRisks);
    }

    /// <summary>The findings for one family's facts plus the reset risks found on the host.</summary>
    public static IEnumerable<Finding> Evaluate(IpForwardFact state, IReadOnlyList<string> resetRisks)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(resetRisks);
        var evidence = Evidence(state);
        var isV4 = state.Family == IpFamily.IPv4;
        var subject = FindingSubject.ForForwarding(state.Family);
        // IPv6 forwarding matters only where containers publish over IPv6: a problem there is a warning at most.
        var blocking = isV4 ? FindingSeverity.Error : FindingSeverity.Warning;
        var family = isV4 ? string.Empty : " -Family IPv6";
        var repair = Remedy.PowerShell($"Repair-IpForward{family} -Confirm:$false");
        var shell = Remedy.Bash($"echo '{state.Key} = 1' > {IpForward.DefaultDropInPath}", $"sysctl -p {IpForward.DefaultDropInPath}");

        // A file that could not be read may set the key too: a verdict on what the files persist stands (it is what the
        // readable files say), but its message says it may be wrong and names the files (the confidence is lowered, not
        // the verdict changed). The runtime value is read from /proc, so IpForwardDisabled needs no such word.
        var doubt = state.Unreadable.Count == 0 ? string.Empty
            : $" This may be wrong: {state.Unreadable.Count} file(s) that may set {state.Key} could not be read ({string.Join(", ", state.Unreadable)}).";
        var runtimeOff = state.RuntimeValue == "0";
        var persistedOff = state.PersistedValue is not null && long.TryParse(state.PersistedValue, out var pv) && pv == 0;
        var persistedOn = state.PersistedValue is not null && long.TryParse(state.PersistedValue, out var pv1) && pv1 != 0;
        // IPv6 forwarding matters only where it is in use: dockerd switched it on (runtime 1) or a file asks for it.
        // Off everywhere is the normal state of an IPv4-only Docker host, not a finding.
        if (!isV4 && state.RuntimeValue != "1" && !persistedOn)
        {
            yield break;
        }

        if (runtimeOff)
        {
            yield return new Finding(FindingIds.IpForwardDisabled, blocking, subject,
                $"{state.Key} is 0: the host does not forward packets to containers, so outside clients time out on published ports.",
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

        if (isV4)
        {
            foreach (var risk in resetRisks)
            {
                yield return new Finding(FindingIds.IpForwardResetRisk, FindingSeverity.Warning, subject,
                    $"{risk}: it can switch forwarding off again whatever sysctl.d says.",
                    [risk], [Remedy.PowerShell("Repair-IpForward -Confirm:$false  # once that setting is removed (or set to yes)")], RepairIntent.Nothing);
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
