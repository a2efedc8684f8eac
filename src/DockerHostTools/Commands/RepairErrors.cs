using System.Management.Automation;
using DockerHostTools.Core.Docker;
using DockerHostTools.Core.Native;
using DockerHostTools.Core.Repair;
using DockerHostTools.Core.Systemd;

namespace DockerHostTools.Commands;

/// <summary>The error ids of a failed repair step, shared by every repair command.</summary>
internal static class RepairErrors
{
    /// <summary>An ErrorRecord with a constant id for a step that failed.</summary>
    public static ErrorRecord For(Exception ex, RepairStep step) => ex switch
    {
        DockerEngineUnavailableException de => DockerCommandBase.EngineError(de),
        SystemdNotRunningException => new ErrorRecord(ex, "SystemdNotRunning", ErrorCategory.ResourceUnavailable, step.Target),
        DockerRulesNotBackException => new ErrorRecord(ex, "DockerChainsNotRestored", ErrorCategory.OperationTimeout, "docker.service"),
        NativeProgramNotFoundException => new ErrorRecord(ex, "NativeProgramNotFound", ErrorCategory.ObjectNotFound, step.Target),
        NativeCommandFailedException => new ErrorRecord(ex, step.Kind switch
        {
            "StartContainer" => "ContainerStartFailed",
            "RestartDocker" => "DockerRestartFailed", // systemctl restart failed (dockerd died while starting, a broken daemon.json...)
            _ => "RepairStepFailed",
        }, ErrorCategory.InvalidResult, step.Target),
        _ => DockerHostCmdlet.ToErrorRecord(ex, "RepairStepFailed", step.Target),
    };
}
