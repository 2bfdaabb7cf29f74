package dev.hexgate.support;

import java.time.InstantSource;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.quarkus.arc.DefaultBean;

/** The clock every time-dependent decision reads (cache ages, expiries, sweeps), so tests can move time instead of waiting. */
public class Clocks {

    @Produces
    @Singleton
    @DefaultBean
    InstantSource clock() {
        return InstantSource.system();
    }
}
