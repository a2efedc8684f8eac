using System.Management.Automation;
using DockerHostTools.Core.Firewalld;
using DockerHostTools.Core.Native;

namespace DockerHostTools.Commands;

/// <summary>The parameters and the plan-confirm-execute loop shared by Add-FirewalldPort and Remove-FirewalldPort.</summary>
public abstract class FirewalldPortChangeCommand : DockerHostCmdlet
{
    private FirewalldState? _state;

    /// <summary>The port or range (<c>5000</c>, <c>8000-8010</c>, or <c>5000/udp</c>).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("PublicPort")]
    [ValidateNotNullOrEmpty]
    public string Port { get; set; } = string.Empty;

    /// <summary>tcp (default), udp, sctp or dccp.</summary>
    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    [Alias("Type")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(Completers.PortProtocolCompleter))]
    public string Protocol { get; set; } = "tcp";

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
    protected override void ProcessRecord()
    {
        FirewalldPortSpec spec;
        try
        {
            spec = FirewalldPortSpec.Parse(Port, Protocol);
        }
        catch (FirewalldInputException ex)
        {
            WriteError(FirewalldCommandSupport.ToFirewalldError(ex, ex.Value)!);
            return;
        }

        if (!WhatIfOnly())
        {
            // Before firewalld is asked: without root, firewall-cmd may not even see it (polkit), and nothing may change.
            RequireRoot(MyInvocation.MyCommand.Name, spec.ToString());
        }

        _state ??= Await(ct => FirewalldReader.GetStateAsync(Runner, HostFileSystem.Live, ct));
        FirewalldConfiguration[] configurations = (Runtime.IsPresent, Permanent.IsPresent) switch
        {
            (true, false) => [FirewalldConfiguration.Runtime],
            (false, true) => [FirewalldConfiguration.Permanent],
            _ => [FirewalldConfiguration.Runtime, FirewalldConfiguration.Permanent],
        };

        IReadOnlyList<FirewalldPortPlanItem> plan;
        try
        {
            plan = FirewalldPortChanger.Plan(Runner, _state, spec, Zone, configurations, Add);
        }
        catch (FirewalldNotRunningException ex)
        {
            ThrowTerminatingError(FirewalldCommandSupport.ToFirewalldError(ex, spec.ToString())!);
            return;
        }
        catch (FirewalldInputException ex)
        {
            WriteError(FirewalldCommandSupport.ToFirewalldError(ex, ex.Value)!);
            return;
        }

        foreach (var item in plan)
        {
            if (item.Step is null)
            {
                WriteVerbose(item.NoChange!.Message);
                if (PassThru)
                {
                    WriteObject(item.NoChange);
                }

                continue;
            }

            if (!ShouldProcess(item.Step.Target, item.Step.Action))
            {
                continue;
            }

            try
            {
                WriteVerbose(item.Step.Command);
                Await(item.Step.ExecuteAsync);
                _state = null; // re-read before the next pipeline item: the picture changed
                if (PassThru)
                {
                    WriteObject(item.Done);
                }
            }
            catch (Exception ex) when (ex is not PipelineStoppedException and not OperationCanceledException)
            {
                WriteError(FirewalldCommandSupport.ToFirewalldError(ex, spec.ToString()) ?? ToErrorRecord(ex, FirewalldCommandSupport.FirewallCmdFailed, spec.ToString()));
                return; // the other configuration is not touched after a failure
            }
        }
    }

    private bool WhatIfOnly() =>
        MyInvocation.BoundParameters.TryGetValue("WhatIf", out var w) && w is SwitchParameter { IsPresent: true };
}
