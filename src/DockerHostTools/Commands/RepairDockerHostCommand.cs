using System.Management.Automation;
using DockerHostTools.Core.Diagnosis;
using DockerHostTools.Core.Docker;
using DockerHostTools.Core.Native;
using DockerHostTools.Core.Repair;

namespace DockerHostTools.Commands;

/// <summary>
/// <para type="synopsis">Fixes what Test-DockerHost found, in a safe order, then checks again and says what is verified.</para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Repair, "DockerHost", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(DockerHostRepairResult))]
public sealed class RepairDockerHostCommand : DockerCommandBase
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
            if (item?.BaseObject is Finding f)
            {
                _findings.Add(f);
            }
            else if (item?.Properties["Id"]?.Value is string id && item.Properties["Target"]?.Value is string target)
            {
                // A finding read back from CLIXML or JSON: matched again by Id and Target against a fresh check.
                _findings.Add(new Finding(id, FindingSeverity.Info, target, item.Properties["Message"]?.Value as string ?? string.Empty, [], [], canRepair: true));
            }
            else
            {
                WriteError(new ErrorRecord(new ArgumentException("The input is not a finding from Test-DockerHost."), "InputNotAFinding",
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

        // Plan against the host as it is now: a finding that no longer holds needs nothing. The ports the findings name
        // are asked for explicitly, so that a port no container publishes any more (ContainerNotRunning) is checked too.
        var ports = _findings.Select(f => f.Target.Split('/')).Where(t => t.Length == 2 && int.TryParse(t[0], out _))
            .Select(t => int.Parse(t[0], System.Globalization.CultureInfo.InvariantCulture)).Distinct().ToList();
        var state = GetDockerHostNetStateCommand.Read(this, [], Socket);
        var current = DockerHostChecks.Evaluate(state.Facts, ports);
        var wanted = _gotInput ? _findings.Select(DockerHostRepair.KeyOf).ToHashSet() : current.Select(DockerHostRepair.KeyOf).ToHashSet();
        var todo = current.Where(f => wanted.Contains(DockerHostRepair.KeyOf(f))).ToList();
        var alreadyGone = _findings.Where(f => !current.Any(c => DockerHostRepair.KeyOf(c) == DockerHostRepair.KeyOf(f))).ToList();

        using var engine = new DockerEngineClient(Socket, TimeSpan.FromSeconds(10));
        IReadOnlyList<PlannedRepair> plan;
        try
        {
            plan = new DockerHostRepair(Runner, HostFileSystem.Live, engine).Plan(todo, state);
        }
        catch (Exception ex) when (ex is not PipelineStoppedException and not OperationCanceledException)
        {
            ThrowTerminatingError(ToErrorRecord(ex, "RepairPlanFailed", todo.FirstOrDefault()?.Target));
            return;
        }

        if (plan.Count > 0 && !WhatIfOnly())
        {
            RequireRoot("Repair-DockerHost", plan[0].Step.Target);
        }

        var (done, failure) = ExecuteSteps(plan.Select(p => p.Step));
        if (failure is not null)
        {
            WriteError(failure); // later steps build on earlier ones (the order is the point): they were not attempted
        }

        var results = plan.Select((p, i) => (p.Step, Result: done[i])).ToDictionary(x => x.Step, x => x.Result);
        if (plan.Count > 0 && results.Values.All(r => r.Outcome == RepairStepOutcome.Skipped))
        {
            return; // -WhatIf (or every step declined): the plan was shown, nothing changed
        }

        // Check again: a finding is verified when the fresh check no longer reports it.
        var after = DockerHostChecks.Evaluate(GetDockerHostNetStateCommand.Read(this, [], Socket).Facts, ports);
        foreach (var finding in todo)
        {
            var key = DockerHostRepair.KeyOf(finding);
            var steps = plan.Where(p => p.Fixes.Contains(key)).Select(p => results[p.Step]).ToList();
            var remaining = after.FirstOrDefault(a => DockerHostRepair.KeyOf(a) == key);
            if (!finding.CanRepair)
            {
                WriteWarning($"{finding.Id} {finding.Target} cannot be repaired automatically: {string.Join("; ", finding.Remedy)}");
            }

            WriteObject(new DockerHostRepairResult(finding, steps, remaining is null, remaining));
        }

        foreach (var gone in alreadyGone)
        {
            WriteObject(new DockerHostRepairResult(gone, [], verified: true, remaining: null));
        }
    }

    private bool WhatIfOnly() =>
        MyInvocation.BoundParameters.TryGetValue("WhatIf", out var w) && w is SwitchParameter { IsPresent: true };
}
