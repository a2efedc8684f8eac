using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using DockerHostTools.Fleet;

namespace DockerHostTools.Commands;

/// <summary>
/// A command that also runs on Docker hosts over PowerShell remoting: the parameters that say which hosts and how to
/// reach them, as Invoke-Command names them, declared once (their help is each command's own, in Help/*.psd1).
/// </summary>
public abstract class FleetCapableCmdlet : DockerHostCmdlet
{
    /// <summary>Sessions to Docker hosts (New-PSSession).</summary>
    [Parameter(Mandatory = true, ParameterSetName = FleetCommand.SessionSet)]
    [ValidateNotNullOrEmpty]
    public PSSession[]? Session { get; set; }

    /// <summary>Docker hosts to reach over SSH (as Invoke-Command -HostName: host or user@host).</summary>
    [Parameter(Mandatory = true, ParameterSetName = FleetCommand.HostNameSet)]
    [ValidateNotNullOrEmpty]
    public string[]? HostName { get; set; }

    /// <summary>The SSH user (as Invoke-Command -UserName).</summary>
    [Parameter(ParameterSetName = FleetCommand.HostNameSet)]
    [ValidateNotNullOrEmpty]
    public string? UserName { get; set; }

    /// <summary>The SSH private key (as Invoke-Command -KeyFilePath).</summary>
    [Parameter(ParameterSetName = FleetCommand.HostNameSet)]
    [ValidateNotNullOrEmpty]
    public string? KeyFilePath { get; set; }

    /// <summary>ssh options (as Invoke-Command -Options), e.g. @{ StrictHostKeyChecking = 'no'; Port = 2222 }.</summary>
    [Parameter(ParameterSetName = FleetCommand.HostNameSet)]
    public Hashtable? Options { get; set; }

    /// <summary>Milliseconds to wait for each SSH connection (as Invoke-Command -ConnectingTimeout).</summary>
    [Parameter(ParameterSetName = FleetCommand.HostNameSet)]
    [ValidateRange(1, int.MaxValue)]
    public int ConnectingTimeout { get; set; } = FleetCommand.DefaultConnectingTimeout;
}
