using System.Management.Automation;
using System.Management.Automation.Runspaces;
using DockerHostTools.Core.Diagnosis;
using DockerHostTools.Fleet;
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

    /// <summary>Sessions to send findings read back from a file (they carry HostName) to, matched by ComputerName.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public PSSession[]? Session { get; set; }

    /// <summary>How many hosts of a fleet are repaired at once.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int ThrottleLimit { get; set; } = FleetCommand.DefaultThrottle;

    private readonly List<Finding> _findings = [];
    private readonly List<FleetFinding> _fleet = [];
    private bool _gotInput;

    private void AddFleet(PSObject item, Finding finding)
    {
        if (FleetOrigin.Of(item) is { } origin)
        {
            _fleet.Add(new FleetFinding(finding, origin.HostName, origin.Runspace));
            return;
        }

        var host = FleetOrigin.HostNameOf(item)!;
        var session = Session?.FirstOrDefault(s => string.Equals(s.ComputerName, host, StringComparison.OrdinalIgnoreCase));
        if (session?.Runspace is null)
        {
            // Never repaired elsewhere: a finding goes only to the host it names.
            WriteError(new ErrorRecord(new InvalidOperationException(
                $"The finding {finding.Id} {finding.Target} came from {host}, and no session to {host} is open here (give one with -Session). Nothing was changed."),
                "FindingHostNotConnected", ErrorCategory.ConnectionError, item));
            return;
        }

        _fleet.Add(new FleetFinding(finding, host, session.Runspace));
    }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        foreach (var item in Finding ?? [])
        {
            _gotInput = true;
            if (item?.BaseObject is DockerHostFleetResult fleetResult)
            {
                foreach (var tagged in fleetResult.Findings)
                {
                    AddFleet(tagged, (Finding)tagged.BaseObject);
                }

                continue;
            }

            if (FleetOrigin.HostNameOf(item) is not null && FindingInput.From(item) is { } remote)
            {
                AddFleet(item!, remote);
                continue;
            }

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
        if (_fleet.Count > 0)
        {
            RepairFleet();
        }

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

    /// <summary>
    /// Each host's findings go back to that host: asked about here per finding in the planner's order (-WhatIf lists the
    /// plan per host, -Confirm asks), then one Repair-DockerHost per host in its own session, hosts side by side.
    /// </summary>
    private void RepairFleet()
    {
        var work = new List<(FleetHost Host, List<Finding> Findings)>();
        foreach (var group in _fleet.GroupBy(f => (f.HostName, f.Runspace)))
        {
            var host = new FleetHost(group.Key.HostName, group.Key.Runspace, null, null);
            var approved = new List<Finding>();
            foreach (var f in group.DistinctBy(f => f.Finding.Key).OrderBy(f => FleetRepair.Order(f.Finding.Intent.Action)))
            {
                if (ShouldProcess($"{host.HostName}: {f.Finding.Id} {f.Finding.Target}", $"Repair-DockerHost ({f.Finding.Intent.Action})"))
                {
                    approved.Add(f.Finding);
                }
            }

            if (approved.Count == 0)
            {
                continue;
            }

            if (!FleetCommand.IsOpen(host.Runspace))
            {
                WriteError(FleetCommand.HostError(host with { Reason = FleetReasons.SessionNotOpened,
                    Message = $"The session to {host.HostName} is not open any more. Nothing was changed on it." }));
                continue;
            }

            work.Add((host, approved));
        }

        if (WhatIfOnly || work.Count == 0)
        {
            return;
        }

        var calls = Await(ct => FleetRepair.RunAsync(work, ThrottleLimit, ct));
        foreach (var call in calls)
        {
            foreach (var warning in call.Warnings)
            {
                WriteWarning($"{call.Host.HostName}: {warning}");
            }

            foreach (var error in call.Errors)
            {
                var record = new ErrorRecord(error, new RemoteException($"{call.Host.HostName}: {error}", error.Exception));
                WriteError(record);
            }

            if (call.Failure is not null)
            {
                WriteError(new ErrorRecord(call.Failure, FleetReasons.RemoteCommandFailed, ErrorCategory.ConnectionError, call.Host.HostName));
            }

            foreach (var result in call.Output)
            {
                FleetOrigin.Note(result, "HostName", call.Host.HostName);
                FleetOrigin.Note(result, "PSComputerName", call.Host.HostName);
                WriteObject(result);
            }
        }
    }
}
