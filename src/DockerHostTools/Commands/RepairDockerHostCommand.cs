using System.Management.Automation;
using DockerHostTools.Core.Diagnosis;
using DockerHostTools.Core.Docker;
using DockerHostTools.Core.Native;
using DockerHostTools.Core.Repair;

namespace DockerHostTools.Commands;

/// <summary>
/// <para type="synopsis">Fixes what Test-DockerHost found, in a safe order, then checks again and says what is verified.</para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Repair, "DockerHost", HelpUri = ProjectInfo.HelpBase + "Repair-DockerHost.md", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(DockerHostRepairResult))]
public sealed class RepairDockerHostCommand : DockerHostCmdlet
{
    /// <summary>Findings from Test-DockerHost (live or read back from a file). Without input, the host is tested first.</summary>
    [Parameter(ValueFromPipeline = true)]
    public PSObject[]? Finding { get; set; }

    /// <summary>The Docker Engine API socket.</summary>
    [Parameter]
    [ValidateHostPath(Absolute = true)]
    public string Socket { get; set; } = DockerEngineClient.DefaultSocket;

    private readonly List<Finding> _findings = [];
    private bool _gotInput;

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        foreach (var item in Finding ?? [])
        {
            _gotInput = true;
            if (FindingInput.From(item) is { } f)
            {
                _findings.Add(f);
            }
            else
            {
                WriteError(new ErrorRecord(new ArgumentException("The input is not a finding from Test-DockerHost (it has no Id and Subject)."), "InputNotAFinding",
                    ErrorCategory.InvalidArgument, item));
            }
        }
    }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        if (_gotInput && _findings.Count == 0)
        {
            return;
        }

        // One fresh read and check before: a finding that no longer holds needs nothing. The ports the findings are about
        // are asked for explicitly, so that a port no container publishes any more (ContainerNotRunning) is checked too.
        var ports = _findings.Select(f => f.Subject).Where(s => s.Kind == SubjectKind.Port && s.Port is not null).Select(s => s.Port!.Value).Distinct().ToList();
        var state = ReadHostState(ports, Socket);
        var current = DockerHostChecks.Evaluate(state.GetFacts(), ports);
        var wanted = (_gotInput ? _findings : current).Select(f => f.Key).ToHashSet();
        var todo = current.Where(f => wanted.Contains(f.Key)).ToList();
        var alreadyGone = _findings.Where(f => !current.Any(c => c.Key == f.Key)).ToList();

        using var engine = new DockerEngineClient(Socket, TimeSpan.FromSeconds(10));
        RepairPlan plan;
        try
        {
            var requests = todo.Select(f => new RepairRequest(f.Key, f.Intent)).ToList();
            plan = Await(ct => new RepairPlanner(Runner, HostFileSystem.Live, engine).PlanAsync(requests, new RepairOptions { Firewalld = state.Firewalld }, ct));
        }
        catch (Exception ex) when (ex is not PipelineStoppedException and not OperationCanceledException)
        {
            ThrowTerminatingError(ToErrorRecord(ex, "RepairPlanFailed", todo.FirstOrDefault()?.Target));
            return;
        }

        if (plan.Steps.Count > 0 && !WhatIfOnly)
        {
            RequireRoot("Repair-DockerHost", plan.Steps[0].Step.Target);
        }

        foreach (var note in plan.Notes)
        {
            WriteWarning(note);
        }

        var (run, failures) = ExecuteSteps(plan.Steps.Select(p => p.Step), RepairErrors.For);
        foreach (var failure in failures)
        {
            Explain(failure, run, "Repair-DockerHost");
            WriteError(failure); // only the steps that depend on the failed one were left out
        }

        if (run.AllSkipped)
        {
            return; // -WhatIf (or every step declined): the plan was shown, nothing changed
        }

        // One fresh read and check after: a finding is verified when it is no longer reported for the same subject.
        var after = DockerHostChecks.Evaluate(ReadHostState(ports, Socket).GetFacts(), ports);
        foreach (var finding in todo)
        {
            var steps = plan.StepsFor(finding.Key).Select(s => run.ResultOf(s)).OfType<RepairStepResult>().ToList();
            var remaining = after.FirstOrDefault(a => a.Key == finding.Key);
            var result = new DockerHostRepairResult(finding, steps, remaining is null, remaining);
            if (result.Status == RepairStatus.ByHand)
            {
                // The same finding's result says ByHand (never Verified): the warning and the result agree.
                WriteWarning($"{finding.Id} {finding.Target} cannot be repaired automatically; run one of:" +
                    string.Concat(finding.Remedy.Select(r => $"{Environment.NewLine}  {r.Shell}: {r.Command}")));
            }

            WriteObject(result);
        }

        foreach (var gone in alreadyGone)
        {
            WriteObject(new DockerHostRepairResult(gone, [], verified: true, remaining: null, goneBefore: true));
        }
    }
}
