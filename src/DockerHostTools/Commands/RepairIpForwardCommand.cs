using System.Management.Automation;
using DockerHostTools.Core.Native;
using DockerHostTools.Core.Repair;
using DockerHostTools.Core.Sysctl;

namespace DockerHostTools.Commands;

/// <summary>
/// <para type="synopsis">Turns IP forwarding on now and keeps it on: writes a sysctl.d drop-in atomically and applies it.</para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Repair, "IpForward", HelpUri = ProjectInfo.HelpBase + "Repair-IpForward.md", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(IpForwardRepairResult))]
public sealed class RepairIpForwardCommand : DockerHostCmdlet
{
    /// <summary>The families to repair (IPv4 by default).</summary>
    [Parameter(Position = 0)]
    public IpForwardFamily Family { get; set; } = IpForwardFamily.IPv4;

    /// <summary>The drop-in to write; a .conf file directly in a sysctl.d folder.</summary>
    [Parameter]
    [ValidateHostPath]
    public string Path { get; set; } = IpForward.DefaultDropInPath;

    /// <summary>Also comment out lines applied later that still set forwarding to 0 (a backup is kept).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        var families = GetIpForwardCommand.Families(Family);
        RepairPlan plan;
        try
        {
            var requests = families.Select(f => new RepairRequest(null, RepairIntent.PersistForwarding(f, Force))).ToList();
            plan = Await(ct => new RepairPlanner(Runner, HostFileSystem.Live, engine: null).PlanAsync(requests, new RepairOptions { DropInPath = Path }, ct));
        }
        catch (ArgumentException ex)
        {
            ThrowTerminatingError(new ErrorRecord(ex, "InvalidDropInPath", ErrorCategory.InvalidArgument, Path));
            return;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            ThrowTerminatingError(ToErrorRecord(ex, "RepairPlanFailed", Path)); // the sysctl files could not be read: nothing was changed
            return;
        }

        var forwarding = plan.Forwarding!;
        if (plan.Steps.Count > 0 && !WhatIfOnly)
        {
            RequireRoot("Repair-IpForward", Path);
        }

        // Each step stands alone: a drop-in that cannot be written (read-only or full /etc) does not keep the runtime value from being set.
        var (run, failures) = ExecuteSteps(plan.Steps.Select(p => p.Step));
        foreach (var failure in failures)
        {
            Explain(failure, run, "Repair-IpForward");
            WriteError(failure);
        }

        foreach (var remaining in forwarding.RemainingOverrides)
        {
            WriteWarning($"{remaining.Source} sets {remaining.Key} = {remaining.Value} and is applied after {forwarding.DropInPath}: " +
                "it turns forwarding off at the next boot or sysctl --system. Run Repair-IpForward -Force to comment it out (a backup is kept).");
        }

        if (run.AllSkipped)
        {
            return; // -WhatIf or every step declined: the plan was shown, nothing changed, nothing to report.
        }

        var reader = new IpForward(Runner, HostFileSystem.Live);
        var configuration = SysctlConfiguration.Load(HostFileSystem.Live);
        WriteObject(new IpForwardRepairResult(forwarding.DropInPath, run.Results, forwarding.RemainingOverrides,
            families.SelectMany(f => reader.GetAll(f, configuration)).ToList()));
    }
}
