extension RedisURL {
    /// The commands a new connection sends before any other (AUTH, then SELECT), each with what it
    /// does for error messages ("could not …"), so every kind of connection logs in the same way.
    var setupCommands: [(what: String, command: [RedisArgument])] {
        var setup: [(what: String, command: [RedisArgument])] = []
        if let password {
            var auth: [RedisArgument] = ["AUTH"]
            if let username { auth.append(RedisArgument(username)) }
            auth.append(RedisArgument(password))
            setup.append(("log in (AUTH); check the user and password in the Redis URL", auth))
        }
        if database != 0 {
            setup.append(("select database \(database)", ["SELECT", RedisArgument(database)]))
        }
        return setup
    }
}
