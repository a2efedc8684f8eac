using DockerHostTools.Core.Firewalld;
using DockerHostTools.Core.Sysctl;

namespace DockerHostTools.Core.Repair;

/// <summary>What a repair of a finding does, as a kind (the planner turns it into steps).</summary>
public enum RepairAction
{
    /// <summary>Nothing automatic: the finding's Remedy says what a person does.</summary>
    None,

    /// <summary>Turn forwarding on now and persist it in a sysctl.d drop-in (families, and whether later files are neutralised).</summary>
    PersistForwarding,

    /// <summary>Open a port in a firewalld zone, in the configurations named, without a reload.</summary>
    OpenFirewalldPort,

    /// <summary>Reset-failed and restart the Docker engine, wait for its rules, start the containers that ran and did not come back.</summary>
    RestartEngine,

    /// <summary>Start containers that are not running.</summary>
    StartContainers,
}

/// <summary>
/// What to do about a finding, typed: the finding carries it, so a finding read back from JSON or CLIXML plans the same
/// repair without parsing its target. Plain data only (enums, numbers, strings, lists), so it survives serialisation.
/// </summary>
public sealed record RepairIntent
{
    /// <summary>The intent of a finding that is not repaired automatically.</summary>
    public static RepairIntent Nothing { get; } = new();

    /// <summary>The kind of repair.</summary>
    public RepairAction Action { get; init; }

    /// <summary>PersistForwarding: the families to switch on and persist.</summary>
    public IReadOnlyList<IpFamily> Families { get; init; } = [];

    /// <summary>PersistForwarding: also neutralise later sysctl files that set forwarding to 0 (Repair-IpForward -Force).</summary>
    public bool OverrideLaterFiles { get; init; }

    /// <summary>OpenFirewalldPort: the port.</summary>
    public int? Port { get; init; }

    /// <summary>OpenFirewalldPort: the protocol.</summary>
    public string? Protocol { get; init; }

    /// <summary>OpenFirewalldPort: the zone.</summary>
    public string? Zone { get; init; }

    /// <summary>OpenFirewalldPort: the configurations to change.</summary>
    public IReadOnlyList<FirewalldConfiguration> Configurations { get; init; } = [];

    /// <summary>StartContainers: the containers (names).</summary>
    public IReadOnlyList<string> Containers { get; init; } = [];

    /// <summary>True when the planner can carry it out.</summary>
    public bool IsAutomatic => Action != RepairAction.None;

    /// <summary>Switch forwarding on now and persist it.</summary>
    public static RepairIntent PersistForwarding(IpFamily family, bool overrideLaterFiles = false) =>
        new() { Action = RepairAction.PersistForwarding, Families = [family], OverrideLaterFiles = overrideLaterFiles };

    /// <summary>Open a port in a zone in the given configurations.</summary>
    public static RepairIntent OpenFirewalldPort(int port, string protocol, string zone, params FirewalldConfiguration[] configurations) =>
        new() { Action = RepairAction.OpenFirewalldPort, Port = port, Protocol = protocol, Zone = zone, Configurations = configurations };

    /// <summary>Restart the engine and wait for its rules.</summary>
    public static RepairIntent RestartEngine { get; } = new() { Action = RepairAction.RestartEngine };

    /// <summary>Start these containers.</summary>
    public static RepairIntent StartContainers(IEnumerable<string> names) =>
        new() { Action = RepairAction.StartContainers, Containers = names.ToList() };

    /// <inheritdoc />
    public override string ToString() => Action switch
    {
        RepairAction.None => "none",
        RepairAction.PersistForwarding => $"persist forwarding ({string.Join(", ", Families)}){(OverrideLaterFiles ? ", neutralise later files" : string.Empty)}",
        RepairAction.OpenFirewalldPort => $"open {Port}/{Protocol} in zone {Zone} ({string.Join(", ", Configurations)})",
        RepairAction.RestartEngine => "restart the Docker engine and wait for its rules",
        RepairAction.StartContainers => $"start {string.Join(", ", Containers)}",
        _ => Action.ToString(),
    };
}
