package dev.hexgate.connectui;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import jakarta.ws.rs.NameBinding;

/**
 * Marks the two routes browsers call with a connect session token ({@code @nangohq/frontend}): they, and only they, get
 * CORS for the origins of {@code HEXGATE_CONNECT_FRAME_ANCESTORS} ({@link BrowserCors}).
 */
@NameBinding
@Retention(RetentionPolicy.RUNTIME)
@Target({ ElementType.TYPE, ElementType.METHOD })
public @interface BrowserApi {
}
