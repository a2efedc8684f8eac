using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Text.Json;
using System.Text.Json.Serialization;
using DockerHostTools.Core.Diagnosis;
using DockerHostTools.Core.Repair;

namespace DockerHostTools.Fleet;

/// <summary>One fleet finding on its way back: the finding, the host it came from and that host's runspace (when known).</summary>
internal sealed record FleetFinding(Finding Finding, string HostName, Runspace? Runspace);

/// <summary>
/// Repairs fleet findings, each on the host it came from: one Repair-DockerHost per host in that host's own session
/// (where the one planner orders the steps safely and verifies), at most ThrottleLimit hosts at once.
/// </summary>
internal static class FleetRepair
{
    /// <summary>The remote script: the host's findings (as JSON, which Repair-DockerHost binds property by property).</summary>
    internal const string RepairScript = """
        param([string] $Findings)
        $m = Get-Module -Name DockerHostTools
        if (-not $m) { Import-Module DockerHostTools -ErrorAction Stop }
        $Findings | ConvertFrom-Json | Repair-DockerHost -Confirm:$false
        """;

    private static readonly JsonSerializerOptions Json = new() { Converters = { new JsonStringEnumConverter() } };

    /// <summary>The order the planner repairs in, for the -WhatIf/-Confirm listing per host.</summary>
    public static int Order(RepairAction action) => action switch
    {
        RepairAction.PersistForwarding => 0,
        RepairAction.OpenFirewalldPort => 1,
        RepairAction.RestartEngine => 2,
        RepairAction.None => 9,
        _ => 3,
    };

    public static string ToJson(IEnumerable<Finding> findings) => JsonSerializer.Serialize(findings.ToArray(), Json);

    public static Task<List<RemoteCall>> RunAsync(IReadOnlyList<(FleetHost Host, List<Finding> Findings)> work, int throttle, CancellationToken ct)
    {
        var json = work.ToDictionary(w => w.Host, w => ToJson(w.Findings));
        return FleetInvoker.InvokeAsync([.. work.Select(w => w.Host)], RepairScript, h => [json[h]], throttle, ct);
    }
}
