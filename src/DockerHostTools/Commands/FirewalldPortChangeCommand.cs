using System.Management.Automation;
using DockerHostTools.Core.Firewalld;
using DockerHostTools.Core.Native;

namespace DockerHostTools.Commands;

/// <summary>The parameters and the plan-confirm-execute loop shared by Add-FirewalldPort and Remove-FirewalldPort.</summary>
public abstract class FirewalldPortChangeCommand : FirewalldPortCommand
{
    private FirewalldState? _state;

    /// <summary>The zone; firewalld's default zone when not given.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(Completers.FirewalldZoneCompleter))]
    public string? Zone { get; set; }

    /// <summary>Change the runtime configuration (both configurations unless one is named).</summary>
    [Parameter]
    public SwitchParameter Runtime { get; set; }

    /// <summary>Change the permanent configuration (both configurations unless one is named).</summary>
    [Parameter]
    public SwitchParameter Permanent { get; set; }

    /// <summary>Write one object per configuration saying what changed (or that nothing had to).</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>True to open, false to close.</summary>
    private protected abstract bool Add { get; }

    /// <inheritdoc />
    private protected override bool Changes => true;

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var specs = ParseSpecs();
        if (specs.Count == 0)
        {
            return;
        }

        if (!WhatIfOnly)
        {
            // Before firewalld is asked: without root, firewall-cmd may not even see it (polkit), and nothing may change.
            RequireRoot(MyInvocation.MyCommand.Name, specs[0].Typed);
        }

        FirewalldConfiguration[] configurations = (Runtime.IsPresent, Permanent.IsPresent) switch
        {
            (true, false) => [FirewalldConfiguration.Runtime],
            (false, true) => [FirewalldConfiguration.Permanent],
            _ => [FirewalldConfiguration.Runtime, FirewalldConfiguration.Permanent],
        };

        foreach (var (typed, spec) in specs)
        {
            if (!Change(typed, spec, configurations))
            {
                return; // the zone does not exist: every port of this item would fail the same way
            }
        }
    }

    /// <summary>Opens or closes one port; false when the item cannot go on (its zone does not exist).</summary>
    private bool Change(string typed, FirewalldPortSpec spec, FirewalldConfiguration[] configurations)
    {
        _state ??= Await(ct => FirewalldReader.GetStateAsync(Runner, LiveFiles, ct));
        IReadOnlyList<FirewalldPortPlanItem> plan;
        try
        {
            plan = FirewalldPortChanger.Plan(Runner, _state, spec, Zone, configurations, Add);
        }
        catch (FirewalldNotRunningException ex)
        {
            // Nothing can change without firewalld: the command cannot go on.
            ThrowTerminatingError(FirewalldCommandSupport.ToFirewalldError(ex, typed)!);
            return false;
        }
        catch (FirewalldInputException ex)
        {
            WriteError(InputError(ex, ex.Error == FirewalldInputError.InvalidZone ? ex.Value : typed));
            return ex.Error != FirewalldInputError.InvalidZone;
        }

        foreach (var item in plan.Where(i => i.Step is null))
        {
            WriteVerbose(item.NoChange!.Message);
            if (PassThru)
            {
                WriteObject(item.NoChange);
            }
        }

        var changes = plan.Where(i => i.Step is not null).ToList();
        var (run, failures) = ExecuteSteps(changes.Select(i => i.Step!),
            (ex, step) => FirewalldCommandSupport.ToFirewalldError(ex, typed) ?? ToErrorRecord(ex, FirewalldCommandSupport.FirewallCmdFailed, typed));
        if (run.ChangedAnything)
        {
            _state = null; // re-read before the next port: the picture changed
        }

        foreach (var failure in failures)
        {
            WriteError(failure);
        }

        if (PassThru)
        {
            foreach (var item in changes.Where(i => run.ResultOf(i.Step!)?.Outcome == Core.Repair.RepairStepOutcome.Done))
            {
                WriteObject(item.Done);
            }
        }

        return true;
    }
}
