extension Duration {
    /// A duration as log lines give it: `250ms`, `1.5s`, `30s`, `2m5s`, `1h2m` — to the
    /// millisecond below a second, to a tenth of a second below a minute, coarser above.
    /// (`Duration`'s own description prints `30.038341201999998 seconds`.)
    public var logText: String {
        let millis = wholeMilliseconds
        if millis < 0 { return "-" + (Duration.zero - self).logText }
        if millis < 1000 { return "\(millis)ms" }
        let tenths = (millis + 50) / 100
        if tenths < 600 {
            return tenths % 10 == 0 ? "\(tenths / 10)s" : "\(tenths / 10).\(tenths % 10)s"
        }
        let seconds = (millis + 500) / 1000
        if seconds < 3600 {
            return seconds % 60 == 0 ? "\(seconds / 60)m" : "\(seconds / 60)m\(seconds % 60)s"
        }
        let minutes = (seconds + 30) / 60
        return minutes % 60 == 0 ? "\(minutes / 60)h" : "\(minutes / 60)h\(minutes % 60)m"
    }
}
