using System.Management.Automation;
using DockerHostTools.Core.Docker;
using DockerHostTools.Core.Native;
using DockerHostTools.Core.Repair;

namespace DockerHostTools.Commands;

/// <summary>
/// <para type="synopsis">Restores Docker's iptables chains and DNAT rules: systemctl reset-failed and restart docker, then waits (bounded) until the rules of every published port are back.</para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Repair, "DockerChain", HelpUri = ProjectInfo.HelpBase + "Repair-DockerChain.md", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(DockerChainRepairResult))]
public sealed class RepairDockerChainCommand : DockerHostCmdlet
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
        if (!WhatIfOnly)
        {
            RequireRoot("Repair-DockerChain", "docker.service");
        }

        using var engine = new DockerEngineClient(Socket);
        var options = new RepairOptions { RulesTimeout = TimeSpan.FromSeconds(TimeoutSec), StartContainersNotBack = RestartContainers };
        var plan = Await(ct => new RepairPlanner(Runner, HostFileSystem.Live, engine).PlanAsync([new RepairRequest(null, RepairIntent.RestartEngine)], options, ct));
        foreach (var note in plan.Notes)
        {
            WriteWarning(note);
        }

        var (run, failures) = ExecuteSteps(plan.Steps.Select(p => p.Step), RepairErrors.For);
        var record = plan.Engine!;
        var restarted = run.Results.Any(r => r is { Kind: "RestartDocker", Outcome: RepairStepOutcome.Done });
        foreach (var failure in failures)
        {
            Explain(failure, run, "Repair-DockerChain");
            if (restarted && failure.Exception is not DockerRulesNotBackException)
            {
                failure.ErrorDetails = new ErrorDetails(failure.ErrorDetails.Message + " Docker was restarted.");
            }

            WriteError(failure);
        }

        if (run.AllSkipped)
        {
            return; // -WhatIf or declined: the plan was shown, nothing changed
        }

        var notBack = record.NotBack;
        foreach (var c in notBack)
        {
            WriteWarning($"Container {c.Name} ran before the restart and does not run now (restart policy '{c.RestartPolicy}')." +
                (RestartContainers ? string.Empty : " Run Repair-DockerChain -RestartContainers, or 'docker start " + c.Name + "'."));
        }

        if (run.ChangedAnything || failures.Count > 0)
        {
            // The wait is reported by ChainsRestored, DnatRestored and Waited; Steps lists the changes.
            var steps = run.Results.Where(r => r.Kind != "WaitForDockerRules").ToList();
            WriteObject(new DockerChainRepairResult(steps, record.LastWait, notBack.Select(c => c.Name).ToList(), record.Started.ToList()));
        }
    }
}
