using System.Management.Automation;
using DockerHostTools.Core.Native;
using DockerHostTools.Core.Repair;
using DockerHostTools.Core.Sysctl;

namespace DockerHostTools.Commands;

/// <summary>
/// <para type="synopsis">Turns IP forwarding on now and keeps it on: writes a sysctl.d drop-in atomically and applies it.</para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Repair, "IpForward", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
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
        var repair = new IpForward(Runner, HostFileSystem.Live);
        IpForwardRepairPlan plan;
        try
        {
            plan = repair.PlanRepair(families, Path, Force);
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

        if (plan.Steps.Count > 0 && !WhatIfOnly())
        {
            RequireRoot("Repair-IpForward", Path);
        }

        var (results, failure) = ExecuteSteps(plan.Steps);
        if (failure is not null)
        {
            var failed = results.First(r => r.Outcome == RepairStepOutcome.Failed);
            failure.ErrorDetails = new ErrorDetails($"Repair-IpForward could not {failed.Action.ToLowerInvariant()} ({failed.Target}): {failed.Error} " +
                (results.Any(r => r.Outcome == RepairStepOutcome.Done) ? "Steps done before it stay done; see the result's Steps." : "Nothing was changed."));
        }

        if (failure is not null)
        {
            WriteError(failure);
        }

        foreach (var remaining in plan.RemainingOverrides)
        {
            WriteWarning($"{remaining.Source} sets {remaining.Key} = {remaining.Value} and is applied after {plan.DropInPath}: " +
                "it turns forwarding off at the next boot or sysctl --system. Run Repair-IpForward -Force to comment it out (a backup is kept).");
        }

        if (results.All(r => r.Outcome == RepairStepOutcome.Skipped) && plan.Steps.Count > 0)
        {
            return; // -WhatIf or every step declined: the plan was shown, nothing changed, nothing to report.
        }

        var reader = new IpForward(Runner, HostFileSystem.Live);
        var configuration = SysctlConfiguration.Load(HostFileSystem.Live);
        WriteObject(new IpForwardRepairResult(plan.DropInPath, results, plan.RemainingOverrides,
            families.Select(f => reader.Get(f, configuration)).ToList()));
    }

    private bool WhatIfOnly() =>
        MyInvocation.BoundParameters.TryGetValue("WhatIf", out var w) && w is SwitchParameter { IsPresent: true };
}
