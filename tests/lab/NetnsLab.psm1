<#
    Helpers for Pester lab tests on the namespace lab (tests/lab/netns, Recipe 3): a "Docker host" network namespace
    with its own mount namespace (private /etc/sysctl.d, /usr/lib/sysctl.d, /etc/sysctl.conf, /etc/firewalld, /run
    with its own D-Bus), a container namespace with a real registry, and an outside client namespace.
    The module under test runs in a child pwsh inside the host namespaces; results come back as JSON (-EnumsAsStrings).
#>
$script:LabDir = Join-Path $PSScriptRoot 'netns'
Import-Module (Join-Path $PSScriptRoot 'LabPwsh.psm1')

function Get-NetnsLab([Parameter(Mandatory)] [string] $Prefix) {
    [pscustomobject]@{
        Prefix  = $Prefix
        Dir     = "/tmp/${Prefix}lab"
        HostNs  = "${Prefix}host"
        ExtNs   = "${Prefix}ext"
        CtrNs   = "${Prefix}ctr"
        MountNs = "/tmp/${Prefix}lab/ns/host.mnt"
        HostIp  = '198.51.100.1'
    }
}

function Invoke-LabScript([string] $Prefix, [string] $Script, [string[]] $Arguments) {
    $env:FWLAB_PREFIX = $Prefix
    try {
        $out = & bash (Join-Path $script:LabDir $Script) @Arguments 2>&1
        if ($LASTEXITCODE -ne 0) { throw "$Script $Arguments failed ($LASTEXITCODE):`n$($out -join "`n")" }
        $out
    }
    finally { Remove-Item Env:FWLAB_PREFIX -ErrorAction Ignore }
}

function Start-NetnsLab {
    # Brings the lab up (tearing down a leftover one of the same prefix first). Options go to fwlab-up.sh.
    param([Parameter(Mandatory)] [string] $Prefix, [string[]] $Option = @())
    Stop-NetnsLab -Prefix $Prefix
    $null = Invoke-LabScript $Prefix 'fwlab-up.sh' $Option
    Get-NetnsLab $Prefix
}

function Stop-NetnsLab([Parameter(Mandatory)] [string] $Prefix) {
    $lab = Get-NetnsLab $Prefix
    if ((Test-Path $lab.Dir) -or (& ip netns list) -match "^$($lab.HostNs)\b") {
        $null = Invoke-LabScript $Prefix 'fwlab-down.sh' @()
    }
}

function Invoke-LabHost {
    # Invoke-LabHost LAB COMMAND ARGS...: runs a native command in the lab host (its network and mount namespaces);
    # returns stdout lines and sets $LASTEXITCODE. No param block, so arguments like -c reach the command as they are.
    $lab, $command = $args
    & nsenter "--mount=$($lab.MountNs)" "--net=/run/netns/$($lab.HostNs)" -- @command
}

function Invoke-LabExt {
    # Invoke-LabExt LAB COMMAND ARGS...: runs a native command in the outside client namespace.
    $lab, $command = $args
    & ip netns exec $lab.ExtNs @command
}

function Get-LabHttpCode {
    # The outside client's view of the registry: the HTTP code, or 000 when it cannot connect (2 s connect timeout).
    param([Parameter(Mandatory)] $Lab, [int] $Port = 5000)
    $code = Invoke-LabExt $Lab curl -s -o /dev/null -w '%{http_code}' --connect-timeout 2 --max-time 4 "http://$($Lab.HostIp):$Port/v2/"
    "$code"
}

function Invoke-LabPwsh {
    <#
        Runs a script block in a child pwsh inside the lab host with the assembled module imported; returns
        [pscustomobject]@{ Output; Errors; Warnings } read back from JSON. -User runs it as that user (setpriv),
        with the pwsh and module folders bound where that user can read them.
    #>
    param(
        [Parameter(Mandatory)] $Lab,
        [Parameter(Mandatory)] [scriptblock] $ScriptBlock,
        [object[]] $ArgumentList = @(),
        [string] $User
    )
    $work = Join-Path $Lab.Dir ("pwsh-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
    New-Item -ItemType Directory -Path $work -Force | Out-Null
    & chmod 0777 $work
    $modulePath = $env:DHT_MODULE_PATH
    $pwshDll = [Environment]::GetCommandLineArgs()[0]
    $dotnet = [Environment]::ProcessPath
    $prefix = @()
    if ($User) {
        # A user other than root cannot reach root's NuGet folder or the checkout: bind both into the lab's /tmp.
        $pwshDir = Split-Path $pwshDll
        $modDir = Split-Path $modulePath
        foreach ($pair in @(@($pwshDir, "$work/pwsh"), @($modDir, "$work/module"))) {
            New-Item -ItemType Directory -Path $pair[1] -Force | Out-Null
            Invoke-LabHost $Lab mount --bind $pair[0] $pair[1]
        }
        $pwshDll = "$work/pwsh/" + (Split-Path $pwshDll -Leaf)
        $modulePath = "$work/module/" + (Split-Path $modulePath -Leaf)
        $prefix = @('setpriv', "--reuid=$User", "--regid=$User", '--clear-groups', '--')
    }
    $runner = New-LabPwshRun -Work $work -Inside $work -ModulePath $modulePath -ScriptBlock $ScriptBlock -ArgumentList $ArgumentList
    $env:DOTNET_SYSTEM_GLOBALIZATION_INVARIANT = '1'
    $log = Invoke-LabHost $Lab @prefix env "HOME=$work" "DOTNET_CLI_HOME=$work" $dotnet $pwshDll -NoProfile -NonInteractive -File $runner 2>&1
    try {
        Read-LabPwshResult -Work $work -Log $log -ExitCode $LASTEXITCODE
    }
    finally {
        if ($User) { foreach ($d in "$work/pwsh", "$work/module") { Invoke-LabHost $Lab umount $d } }
        Remove-Item $work -Recurse -Force -ErrorAction Ignore
    }
}

Export-ModuleMember -Function Get-NetnsLab, Start-NetnsLab, Stop-NetnsLab, Invoke-LabHost, Invoke-LabExt, Get-LabHttpCode, Invoke-LabPwsh
