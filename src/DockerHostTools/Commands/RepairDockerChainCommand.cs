using System.Management.Automation;
using DockerHostTools.Core.Docker;
using DockerHostTools.Core.Native;
using DockerHostTools.Core.Repair;

namespace DockerHostTools.Commands;

/// <summary>
/// <para type="synopsis">Restores Docker's iptables chains and DNAT rules: systemctl reset-failed and restart docker, then waits (bounded) until the rules of every published port are back.</para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Repair, "DockerChain", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(DockerChainRepairResult))]
public sealed class RepairDockerChainCommand : DockerCommandBase
{
    /// <summary>The Docker socket.</summary>
    [Parameter]
    [ValidateHostPath(Absolute = true)]
    public string Socket { get; set; } = DockerEngineClient.DefaultSocket;

    /// <summary>How long to wait for the rules after the restart, in seconds.</summary>
    [Parameter]
    [ValidateRange(1, 600)]
    public int TimeoutSec { get; set; } = 60;

    /// <summary>Start again the containers that ran before and did not come back by themselves (no restart policy).</summary>
    [Parameter]
    public SwitchParameter RestartContainers { get; set; }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        if (!WhatIfOnly())
        {
            RequireRoot("Repair-DockerChain", "docker.service");
        }

        using var engine = new DockerEngineClient(Socket);
        var repair = new DockerChainRepair(Runner, engine, HostFileSystem.Live);
        DockerChainRepairPlan plan;
        try
        {
            plan = Await(repair.PlanAsync);
        }
        catch (DockerEngineUnavailableException ex)
        {
            // A stopped engine is one of the things a restart fixes: go on, but the containers that ran are unknown.
            WriteWarning($"{ex.Message} The containers that ran before cannot be listed; the restart goes on.");
            plan = new DockerChainRepairPlan(Await(repair.PlanStepsOnlyAsync), []);
        }

        var results = new List<RepairStepResult>();
        if (!RunSteps(plan.Steps, results))
        {
            EmitIfDone(results, null, [], []);
            return;
        }

        if (results.All(r => r.Outcome == RepairStepOutcome.Skipped))
        {
            return; // -WhatIf or declined: the plan was shown, nothing changed
        }

        var timeout = TimeSpan.FromSeconds(TimeoutSec);
        var after = Await(ct => repair.WaitForRulesAsync(timeout, ct));
        var started = new List<string>();
        var notBack = NotBack(plan, after);
        if (RestartContainers && notBack.Count > 0)
        {
            var steps = notBack.Select(repair.StartContainerStep).ToList();
            var startResults = new List<RepairStepResult>();
            RunSteps(steps, startResults);
            results.AddRange(startResults);
            started.AddRange(startResults.Where(r => r.Outcome == RepairStepOutcome.Done).Select(r => r.Target));
            after = Await(ct => repair.WaitForRulesAsync(timeout, ct));
            notBack = NotBack(plan, after);
        }

        if (!after.ChainsBack || !after.DnatBack)
        {
            var missing = after.Ports.Where(p => p.ContainerState == "running" && !p.DnatRulePresent).Select(p => $"{p.ContainerName} {p.Port}/{p.Protocol}");
            var error = new ErrorRecord(new TimeoutException(
                $"Docker's rules were not all back {TimeoutSec} s after the restart: chains {(after.ChainsBack ? "back" : "missing")}; " +
                $"ports without DNAT: {string.Join(", ", missing)}. See 'journalctl -u docker.service'."),
                "DockerChainsNotRestored", ErrorCategory.OperationTimeout, "docker.service");
            WriteError(error);
        }

        foreach (var c in notBack)
        {
            WriteWarning($"Container {c.Name} ran before the restart and does not run now (restart policy '{c.RestartPolicy}')." +
                (RestartContainers ? string.Empty : " Run Repair-DockerChain -RestartContainers, or 'docker start " + c.Name + "'."));
        }

        WriteObject(new DockerChainRepairResult(results, after, notBack.Select(c => c.Name).ToList(), started));
    }

    private static List<DockerContainerBefore> NotBack(DockerChainRepairPlan plan, DockerRulesWait after) =>
        plan.RunningBefore.Where(b => !after.Containers.Any(c => c.Id == b.Id && c.State == "running")).ToList();

    private bool RunSteps(IReadOnlyList<RepairStep> steps, List<RepairStepResult> results)
    {
        var (done, failure) = ExecuteSteps(steps, (ex, step) => ex switch
        {
            DockerEngineUnavailableException de => EngineError(de),
            Core.Systemd.SystemdNotRunningException => new ErrorRecord(ex, "SystemdNotRunning", ErrorCategory.ResourceUnavailable, step.Target),
            NativeProgramNotFoundException or NativeCommandFailedException => new ErrorRecord(ex, step.Kind == "StartContainer" ? "ContainerStartFailed" : "RepairStepFailed",
                ex is NativeProgramNotFoundException ? ErrorCategory.ObjectNotFound : ErrorCategory.InvalidResult, step.Target),
            _ => ToErrorRecord(ex, "RepairStepFailed", step.Target),
        });
        results.AddRange(done);
        if (failure is not null)
        {
            WriteError(failure);
        }

        return failure is null;
    }

    private void EmitIfDone(List<RepairStepResult> results, DockerRulesWait? after, IReadOnlyList<string> notBack, IReadOnlyList<string> started)
    {
        if (results.Any(r => r.Outcome is RepairStepOutcome.Done or RepairStepOutcome.Failed))
        {
            WriteObject(new DockerChainRepairResult(results, after, notBack, started));
        }
    }

    private bool WhatIfOnly() =>
        MyInvocation.BoundParameters.TryGetValue("WhatIf", out var w) && w is SwitchParameter { IsPresent: true };
}
